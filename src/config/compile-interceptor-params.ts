import { isMap, isScalar, isSeq } from "yaml";
import { ParamError } from "../interceptors/types.js";
import { childPath, type DecodeContext, type Field } from "./decode.js";
import type { InterceptorDecodeEnv } from "./interceptor-decode-env.js";
import { documentError, warning } from "./issues.js";
import type { Loc, TriggerInterceptor } from "./types.js";

/** Compiles a built-in interceptor's params now, so a bad CEL expression is a load error. */
export function compileParams(
  interceptor: TriggerInterceptor & { kind: "ref" },
  paramsField: Field | undefined,
  env: InterceptorDecodeEnv,
  legacyFields?: { get(name: string): Field | undefined },
): void {
  // Core interceptors and plug-ins answer to their name whatever the ref's kind says.
  const impl = env.registry.get(interceptor.ref.name);
  if (impl === undefined) return;
  const values: Record<string, unknown> = {};
  for (const p of interceptor.params) values[p.name] = p.value;
  try {
    const params = impl.parseParams(values);
    env.compiled.set(interceptor, { interceptor: impl, params });
    for (const w of impl.paramWarnings?.(params) ?? [])
      env.cx.issues.push(
        warning(paramLoc(w, interceptor, paramsField, env, legacyFields), w.message),
      );
  } catch (err) {
    if (!(err instanceof ParamError)) throw err;
    env.cx.issues.push(
      documentError(paramLoc(err, interceptor, paramsField, env, legacyFields), err.message),
    );
  }
}

/** Where a ParamError points: its param's value (or the field in it), else the params. */
function paramLoc(
  err: ParamError,
  interceptor: TriggerInterceptor & { kind: "ref" },
  paramsField: Field | undefined,
  env: InterceptorDecodeEnv,
  legacyFields?: { get(name: string): Field | undefined },
): Loc {
  const target = locateParam(err, interceptor, paramsField, env.cx, legacyFields);
  const loc =
    paramsField === undefined && legacyFields === undefined
      ? { ...interceptor.loc, field: `${interceptor.loc.field}.params` } // no params written
      : env.cx.loc(target.node, target.path);
  if (target.offset !== undefined) loc.column += target.offset;
  return loc;
}

/** Finds the YAML node a ParamError's field path (`overlays[1].expression`) points at. */
function locateParam(
  err: ParamError,
  interceptor: TriggerInterceptor & { kind: "ref" },
  paramsField: Field | undefined,
  cx: DecodeContext,
  legacyFields?: { get(name: string): Field | undefined },
): { node: unknown; path: string; offset?: number } {
  const [head = "", ...rest] = err.field.split(/(?=[.[])/);
  const index = interceptor.params.findIndex((p) => p.name.toLowerCase() === head.toLowerCase());
  let node: unknown;
  let path: string;
  if (legacyFields !== undefined) {
    const f = legacyFields.get(interceptor.params[index]?.name ?? "");
    if (f === undefined) return { node: interceptor.loc, path: interceptor.loc.field };
    node = f.node;
    path = f.path;
  } else {
    const seq = cx.deref(paramsField?.node);
    const item = isSeq(seq) && index >= 0 ? cx.deref(seq.items[index]) : undefined;
    if (!isMap(item)) return { node: paramsField?.node, path: paramsField?.path ?? "params" };
    node = item.get("value", true);
    path = `${paramsField?.path ?? "params"}[${index}].value`;
  }
  for (const seg of rest) {
    const n = cx.deref(node);
    const m = /^\[(\d+)\]$/.exec(seg);
    if (m !== null && isSeq(n)) {
      node = n.items[Number(m[1])];
      path += seg;
    } else if (seg.startsWith(".") && isMap(n)) {
      const key = seg.slice(1);
      const pair = n.items.find(
        (p) => isScalar(p.key) && String(p.key.value).toLowerCase() === key.toLowerCase(),
      );
      node = pair?.value;
      path = childPath(path, key);
    }
  }
  const n = cx.deref(node);
  const out: { node: unknown; path: string; offset?: number } = { node: n, path };
  if (err.offset !== undefined && isScalar(n)) {
    const quoted = n.type === "QUOTE_DOUBLE" || n.type === "QUOTE_SINGLE";
    const single = n.type === "PLAIN" || quoted;
    if (single) out.offset = err.offset + (quoted ? 1 : 0);
  }
  return out;
}
