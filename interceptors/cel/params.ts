import { ParamError, isRecord, paramValue, type SecretRef } from "../../src/interceptors/public.js";
import { compileExpression, type CelProgram } from "./compile-expression.js";
import { parsePath } from "./set-path.js";

export type { CelProgram } from "./compile-expression.js";

/** One overlay: `key` is an sjson path inside extensions, `program` its compiled expression. */
export interface CelOverlay {
  readonly key: string;
  readonly program: CelProgram;
}

/** The cel interceptor's params, compiled once at load. */
export interface CelParams {
  readonly filter: CelProgram | undefined;
  readonly overlays: readonly CelOverlay[];
  /** Every secret any compareSecret call names (deduplicated), fetched before evaluation. */
  readonly secretRefs: readonly SecretRef[];
}

const PARAM_NAMES = ["filter", "overlays"];
const OVERLAY_FIELDS = ["key", "expression"];

/**
 * Validates and compiles `filter` and `overlays` (TEKTON-SPEC §4.5). Names match the way Go's
 * encoding/json does (case-insensitively); unknown names are refused, as Tekton's webhook refuses
 * them. At least one of the two must be set; an empty filter counts as unset, as in Tekton.
 * @example parseCelParams({ filter: "header.match('X-GitHub-Event', 'push')" })
 */
export function parseCelParams(params: Readonly<Record<string, unknown>>): CelParams {
  rejectUnknown(params, PARAM_NAMES, "");
  const rawFilter = paramValue(params, "filter");
  if (rawFilter !== undefined && typeof rawFilter !== "string") {
    throw new ParamError("filter", "filter must be a string (a CEL expression)");
  }
  const filter =
    rawFilter === undefined || rawFilter === ""
      ? undefined
      : compileExpression("filter", rawFilter);
  const overlays = parseOverlays(paramValue(params, "overlays"));
  if (filter === undefined && overlays.length === 0) {
    throw new ParamError("filter", "the cel interceptor needs a filter or at least one overlay");
  }
  const seen = new Map<string, SecretRef>();
  for (const program of [filter, ...overlays.map((o) => o.program)]) {
    for (const ref of program?.secretRefs ?? [])
      seen.set(`${ref.secretName}\u0000${ref.secretKey}`, ref);
  }
  return { filter, overlays, secretRefs: [...seen.values()] };
}

function parseOverlays(raw: unknown): CelOverlay[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    throw new ParamError("overlays", "overlays must be a list of {key, expression}");
  }
  return (raw as unknown[]).map((item, i) => {
    const field = `overlays[${i}]`;
    if (!isRecord(item))
      throw new ParamError(field, "an overlay must be an object with key and expression");
    rejectUnknown(item, OVERLAY_FIELDS, `${field}.`);
    const key = paramValue(item, "key");
    const expression = paramValue(item, "expression");
    if (typeof key !== "string" || key === "") {
      throw new ParamError(`${field}.key`, "an overlay needs a key (a path inside extensions)");
    }
    try {
      parsePath(key);
    } catch (error) {
      throw new ParamError(
        `${field}.key`,
        `invalid overlay key ${JSON.stringify(key)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (typeof expression !== "string" || expression === "") {
      throw new ParamError(`${field}.expression`, "an overlay needs an expression (CEL)");
    }
    return { key, program: compileExpression(`${field}.expression`, expression) };
  });
}

function rejectUnknown(
  obj: Readonly<Record<string, unknown>>,
  known: readonly string[],
  prefix: string,
): void {
  for (const name of Object.keys(obj)) {
    if (!known.includes(name.toLowerCase())) {
      throw new ParamError(
        `${prefix}${name}`,
        `unknown field ${JSON.stringify(name)}; expected one of: ${known.join(", ")}`,
      );
    }
  }
}
