import { isMap, isScalar, isSeq } from "yaml";
import { ParamError } from "../interceptors/types.js";
import { childPath, type DecodeContext, type Field } from "./decode.js";
import { CORE_INTERCEPTOR_NAMES } from "../interceptors/registry.js";
import { CompiledParamsTable, type InterceptorDecodeEnv } from "./interceptor-decode-env.js";
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
  // A load's table shares; a table made elsewhere (a WeakMap) does not.
  const shared = env.compiled instanceof CompiledParamsTable ? env.compiled.shared : undefined;
  const key =
    shared !== undefined && CORE_INTERCEPTOR_NAMES.has(impl.name)
      ? sharingKey(interceptor)
      : undefined;
  try {
    let known = key === undefined ? undefined : shared?.get(key);
    if (known === undefined) {
      const values: Record<string, unknown> = {};
      for (const p of interceptor.params) values[p.name] = p.value;
      const params = impl.parseParams(values);
      known = { compiled: { interceptor: impl, params }, warnings: impl.paramWarnings?.(params) };
      if (key !== undefined) shared?.set(key, known);
    }
    env.compiled.set(interceptor, known.compiled);
    for (const w of known.warnings ?? [])
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

/**
 * The interceptor's name and params as written, when they are plain JSON that JSON.stringify
 * keeps exactly (finite numbers, not -0); undefined otherwise (such params are not shared). Two
 * interceptors with the same key are given the same compiled params: the thousand triggers of an
 * organisation's listener that check the same secret hold one params object (and, at compile, one
 * authenticator). Only the core interceptors' params are shared: their parseParams is a pure
 * function of the params as written, and what it gives is never changed afterwards; a plug-in's
 * is called for each interceptor, as the SDK says.
 */
function sharingKey(interceptor: TriggerInterceptor & { kind: "ref" }): string | undefined {
  const entries: unknown[] = [];
  for (const p of interceptor.params) {
    if (!exactJSON(p.value)) return undefined;
    entries.push(p.name, p.value);
  }
  return `${interceptor.ref.name}\u0000${JSON.stringify(entries)}`;
}

function exactJSON(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(exactJSON);
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      return Object.values(value).every(exactJSON);
    case "bigint":
    case "function":
    case "symbol":
    case "undefined":
      return false;
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
