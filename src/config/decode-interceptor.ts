import { isMap, isScalar, isSeq } from "yaml";
import { ParamError, type Interceptor as InterceptorImpl } from "../interceptors/types.js";
import type { InterceptorRegistry } from "../interceptors/registry.js";
import {
  decodeJSON,
  decodeList,
  decodeMap,
  decodeString,
  childPath,
  type DecodeContext,
  type Field,
} from "./decode.js";
import { documentError } from "./issues.js";
import type { InterceptorKind, InterceptorParam, TriggerInterceptor } from "./types.js";

export type ApiVersion = "v1beta1" | "v1alpha1";

/** A ref'd interceptor whose params were compiled at load by the in-process implementation. */
export interface CompiledInterceptorParams {
  interceptor: InterceptorImpl<unknown>;
  params: unknown;
}

export interface InterceptorDecodeEnv {
  cx: DecodeContext;
  version: ApiVersion;
  registry: InterceptorRegistry;
  /** Compiled params, keyed by the decoded TriggerInterceptor object. */
  compiled: WeakMap<TriggerInterceptor, CompiledInterceptorParams>;
}

const KINDS: readonly InterceptorKind[] = ["ClusterInterceptor", "NamespacedInterceptor"];
const LEGACY = ["github", "gitlab", "bitbucket", "cel"] as const;

export function decodeInterceptors(
  field: Field | undefined,
  env: InterceptorDecodeEnv,
): TriggerInterceptor[] {
  return decodeList(field, env.cx, (el) => decodeInterceptor(el, env));
}

function decodeInterceptor(el: Field, env: InterceptorDecodeEnv): TriggerInterceptor | undefined {
  const { cx } = env;
  const allowed = [
    "name",
    "ref",
    "params",
    "webhook",
    ...(env.version === "v1alpha1" ? LEGACY : []),
  ];
  const f = decodeMap(el.node, el.path, cx, allowed);
  if (f === undefined) return undefined;
  const loc = cx.loc(el.node, el.path);
  const name = decodeString(f.get("name"), cx);
  const legacy = LEGACY.find((l) => f.has(l));
  if (legacy !== undefined) return decodeLegacy(legacy, f.get(legacy) as Field, name, el, env);

  const refField = f.get("ref");
  const webhookField = f.get("webhook");
  if (refField !== undefined) {
    const r = decodeMap(refField.node, refField.path, cx, ["name", "kind", "apiVersion"]);
    if (r === undefined) return undefined;
    const refName = decodeString(r.get("name"), cx);
    if (refName === undefined || refName === "")
      return cx.error(refField.node, `${refField.path}.name`, "missing field: ref.name");
    const kindText = decodeString(r.get("kind"), cx) ?? "ClusterInterceptor";
    const kind = KINDS.find((k) => k === kindText);
    if (kind === undefined) {
      return cx.error(
        r.get("kind")?.node,
        `${refField.path}.kind`,
        `invalid kind "${kindText}": must be ClusterInterceptor or NamespacedInterceptor`,
      );
    }
    const params = decodeList(f.get("params"), cx, (p) => decodeInterceptorParam(p, cx));
    const ref: { name: string; kind: InterceptorKind; apiVersion?: string } = {
      name: refName,
      kind,
    };
    const apiVersion = decodeString(r.get("apiVersion"), cx);
    if (apiVersion !== undefined) ref.apiVersion = apiVersion;
    const out: TriggerInterceptor = { kind: "ref", ref, params, loc };
    if (name !== undefined) out.name = name;
    compileParams(out, f.get("params"), env);
    return out;
  }
  if (webhookField !== undefined) {
    const w = decodeMap(webhookField.node, webhookField.path, cx, ["objectRef", "url", "header"]);
    if (w === undefined) return undefined;
    const webhook: { url?: string; objectRef?: Record<string, unknown>; header: unknown[] } = {
      header: decodeList(w.get("header"), cx, (h) => decodeJSON(h, cx)),
    };
    const url = decodeString(w.get("url"), cx);
    if (url !== undefined) webhook.url = url;
    const objectRef = decodeJSON(w.get("objectRef"), cx);
    if (objectRef !== undefined && objectRef !== null)
      webhook.objectRef = objectRef as Record<string, unknown>;
    const out: TriggerInterceptor = { kind: "webhook", webhook, loc };
    if (name !== undefined) out.name = name;
    return out;
  }
  return cx.error(el.node, el.path, "missing field(s): interceptor needs ref.name or webhook");
}

function decodeInterceptorParam(el: Field, cx: DecodeContext): InterceptorParam | undefined {
  const f = decodeMap(el.node, el.path, cx, ["name", "value"]);
  if (f === undefined) return undefined;
  const name = decodeString(f.get("name"), cx);
  if (name === undefined || name === "")
    return cx.error(el.node, `${el.path}.name`, "missing field: name");
  return { name, value: decodeJSON(f.get("value"), cx) ?? null, loc: cx.loc(el.node, el.path) };
}

/**
 * v1alpha1's inline `github:`/`gitlab:`/`bitbucket:`/`cel:` become `ref: {name}` plus params, as
 * Tekton's defaulting webhook converts them (TEKTON-SPEC §1.6).
 */
function decodeLegacy(
  which: (typeof LEGACY)[number],
  field: Field,
  name: string | undefined,
  el: Field,
  env: InterceptorDecodeEnv,
): TriggerInterceptor | undefined {
  const { cx } = env;
  const allowed = which === "cel" ? ["filter", "overlays"] : ["secretRef", "eventTypes"];
  const f = decodeMap(field.node, field.path, cx, allowed);
  if (f === undefined) return undefined;
  const params: InterceptorParam[] = [];
  for (const key of allowed) {
    const sub = f.get(key);
    if (sub !== undefined)
      params.push({
        name: key,
        value: decodeJSON(sub, cx) ?? null,
        loc: cx.loc(sub.node, sub.path),
      });
  }
  if (which === "cel" && params.length === 0) {
    return cx.error(field.node, field.path, "a cel interceptor needs a filter or overlays");
  }
  const out: TriggerInterceptor = {
    kind: "ref",
    ref: { name: which, kind: "ClusterInterceptor" },
    params,
    loc: cx.loc(el.node, el.path),
  };
  if (name !== undefined) out.name = name;
  compileParams(out, undefined, env, f);
  return out;
}

/** Compiles a built-in interceptor's params now, so a bad CEL expression is a load error. */
function compileParams(
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
    env.compiled.set(interceptor, { interceptor: impl, params: impl.parseParams(values) });
  } catch (err) {
    if (!(err instanceof ParamError)) throw err;
    const target = locateParam(err, interceptor, paramsField, env.cx, legacyFields);
    const loc =
      paramsField === undefined && legacyFields === undefined
        ? { ...interceptor.loc, field: `${interceptor.loc.field}.params` } // no params written
        : env.cx.loc(target.node, target.path);
    if (target.offset !== undefined) loc.column += target.offset;
    env.cx.issues.push(documentError(loc, err.message));
  }
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
