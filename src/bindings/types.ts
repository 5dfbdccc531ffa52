import type { HooklineError } from "../errors/hookline-error.js";

/**
 * The object a binding expression reads (TEKTON-SPEC §5.1): `$(body.x)`, `$(header.y)`,
 * `$(extensions.z)`, `$(context.eventID)`.
 */
export interface BindingEvent {
  /** The JSON-decoded body after interceptors; `null` when the body is empty. */
  readonly body: unknown;
  /** Go-canonical header name → every value joined with `","` (Tekton's `strings.Join(v, ",")`). */
  readonly header: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly context: { readonly eventID: string };
}

/** A comparison operator allowed in a filter `[?(@.a == 'd')]`. */
export type CompareOperator = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** One side of a filter: a path from the current element (`@.a.b`) or a literal. */
export type FilterOperand =
  | { readonly kind: "path"; readonly steps: readonly PathStep[] }
  | { readonly kind: "literal"; readonly value: string | number | boolean };

/** A parsed filter. `exists` is `[?(@.a)]`: the path yields at least one value. */
export type FilterSpec =
  | { readonly op: "exists"; readonly left: FilterOperand }
  | { readonly op: CompareOperator; readonly left: FilterOperand; readonly right: FilterOperand };

/**
 * One step of a Kubernetes JSONPath program. `[n]` is a slice whose end is derived (`n+1`), as
 * in client-go, so it keeps client-go's bounds rules and its single-result shape.
 */
export type PathStep =
  | { readonly kind: "field"; readonly name: string }
  | {
      readonly kind: "slice";
      readonly start: number | undefined;
      readonly end: number | undefined;
      /** True for `[n]`: the end was not written and is `n + 1`. */
      readonly endDerived: boolean;
      readonly step: number | undefined;
    }
  | { readonly kind: "wildcard" }
  | { readonly kind: "recursive" }
  | { readonly kind: "union"; readonly branches: readonly (readonly PathStep[])[] }
  /** `[?(...)]`: the compiled predicate travels with the step; nothing is registered elsewhere. */
  | { readonly kind: "filter"; readonly filter: FilterSpec };

/** One `$(...)` expression, compiled once at config load. */
export interface CompiledExpression {
  /** The text between `$(` and `)`, as written. */
  readonly source: string;
  /** The normalised JSONPath, e.g. `{.header.X-Github-Event}` (for messages and traces). */
  readonly path: string;
  readonly steps: readonly PathStep[];
  /** Only fields and single indexes: evaluated by a direct loop, no arrays built. */
  readonly simple: boolean;
}

/** A piece of a binding value: literal text, or an expression to evaluate. */
export type ValuePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "expression"; readonly expression: CompiledExpression };

/** A binding param value split into static text and expressions. */
export interface CompiledValue {
  /** The raw binding value, as written in the TriggerBinding. */
  readonly source: string;
  readonly parts: readonly ValuePart[];
}

/** The outcome of one expression: the decoded text, or Kubernetes' error message. */
export type ExpressionResult =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

/** Where a resolved param's value came from. */
export type ParamSource =
  | { readonly kind: "binding"; readonly expression: string }
  | { readonly kind: "default" }
  /** A binding expression failed and the TriggerTemplate default stood in for it. */
  | { readonly kind: "binding-default"; readonly expression: string; readonly reason: string };

export interface ResolvedParam {
  readonly name: string;
  readonly value: string;
  readonly source: ParamSource;
}

export interface BindingParam {
  readonly name: string;
  readonly value: CompiledValue;
}

export interface TemplateParamSpec {
  readonly name: string;
  readonly default?: string;
}

export interface ResolveParamsInput {
  /** In Tekton order: inline params, then TriggerBinding refs, then ClusterTriggerBinding refs. */
  readonly bindings: readonly BindingParam[];
  /** The TriggerTemplate's `spec.params`; `undefined` when it declares none (Go's nil list). */
  readonly templateParams: readonly TemplateParamSpec[] | undefined;
  readonly event: BindingEvent;
  /** The TriggerTemplate has the `triggers.tekton.dev/old-escape-quotes` annotation. */
  readonly oldEscapeQuotes: boolean;
}

export type ResolveParamsResult =
  | { readonly ok: true; readonly params: ResolvedParam[] }
  | { readonly ok: false; readonly error: HooklineError };
