export { compileBindingValue, compileExpression } from "./compile-binding-value.js";
export { decodeStaticText } from "./decode-static-text.js";
export { evaluateExpression, formatResults } from "./evaluate-expression.js";
export { formatGoJson } from "./format-go-json.js";
export { resolveParams } from "./resolve-params.js";
export type {
  BindingEvent,
  BindingParam,
  CompiledExpression,
  CompiledValue,
  ExpressionResult,
  ParamSource,
  ResolvedParam,
  ResolveParamsInput,
  ResolveParamsResult,
  TemplateParamSpec,
  ValuePart,
} from "./types.js";
