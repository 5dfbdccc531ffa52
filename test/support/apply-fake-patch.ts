/**
 * The three patch types of a FAKE Kubernetes API server (test/support/fake-kube-apiserver.ts):
 * JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a small strategic merge patch (a merge
 * patch whose lists of objects are merged by their `name`, the merge key of containers, env,
 * params; other lists are replaced). Throws a FakePatchError with the API server's wording.
 */
export class FakePatchError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export type FakePatchType = "merge" | "json" | "strategic";

export function fakePatchType(contentType: string | undefined): FakePatchType | undefined {
  switch ((contentType ?? "").split(";")[0]?.trim() ?? "") {
    case "application/merge-patch+json":
      return "merge";
    case "application/json-patch+json":
      return "json";
    case "application/strategic-merge-patch+json":
      return "strategic";
    default:
      return undefined;
  }
}

export function applyFakePatch(target: unknown, patch: unknown, type: FakePatchType): unknown {
  switch (type) {
    case "merge":
      return mergePatch(target, patch, false);
    case "strategic":
      return mergePatch(target, patch, true);
    case "json":
      return jsonPatch(target, patch);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergePatch(target: unknown, patch: unknown, strategic: boolean): unknown {
  if (!isRecord(patch)) {
    if (strategic && Array.isArray(patch) && Array.isArray(target))
      return mergeByName(target, patch);
    return patch;
  }
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, strategic);
  }
  return out;
}

function mergeByName(target: unknown[], patch: unknown[]): unknown[] {
  const keyed = (xs: unknown[]): boolean =>
    xs.every((x) => isRecord(x) && typeof x["name"] === "string");
  if (!keyed(target) || !keyed(patch)) return patch;
  const out = [...target] as Record<string, unknown>[];
  for (const p of patch as Record<string, unknown>[]) {
    const i = out.findIndex((t) => t["name"] === p["name"]);
    if (i === -1) out.push(p);
    else out[i] = mergePatch(out[i], p, true) as Record<string, unknown>;
  }
  return out;
}

function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw new FakePatchError(
      400,
      "BadRequest",
      "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    );
  }
  let doc = structuredClone(target);
  for (const op of ops as Record<string, unknown>[]) {
    const path = typeof op["path"] === "string" ? op["path"] : "";
    switch (op["op"]) {
      case "add":
        doc = put(doc, path, op["value"], "add");
        break;
      case "replace":
        get(doc, path);
        doc = put(doc, path, op["value"], "replace");
        break;
      case "remove":
        get(doc, path);
        doc = put(doc, path, undefined, "remove");
        break;
      case "move": {
        const value = get(doc, String(op["from"]));
        doc = put(doc, String(op["from"]), undefined, "remove");
        doc = put(doc, path, value, "add");
        break;
      }
      case "copy":
        doc = put(doc, path, structuredClone(get(doc, String(op["from"]))), "add");
        break;
      case "test":
        if (JSON.stringify(get(doc, path)) !== JSON.stringify(op["value"]))
          throw new FakePatchError(422, "Invalid", `the test operation failed at ${path}`);
        break;
      default:
        throw new FakePatchError(400, "BadRequest", `Unexpected kind: ${String(op["op"])}`);
    }
  }
  return doc;
}

function tokens(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/"))
    throw new FakePatchError(422, "Invalid", `invalid JSON pointer ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function get(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of tokens(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isRecord(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw missing(path);
  }
  return cur;
}

function put(
  doc: unknown,
  path: string,
  value: unknown,
  mode: "add" | "replace" | "remove",
): unknown {
  const ts = tokens(path);
  if (ts.length === 0) return value;
  const last = ts.pop() as string;
  const parent = get(doc, ts.length === 0 ? "" : `/${ts.join("/")}`);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (mode === "add") parent.splice(i, 0, value);
    else if (mode === "replace") parent[i] = value;
    else parent.splice(i, 1);
  } else if (isRecord(parent)) {
    if (mode === "remove") delete parent[last];
    else parent[last] = value;
  } else {
    throw missing(path);
  }
  return doc;
}

function missing(path: string): FakePatchError {
  return new FakePatchError(
    422,
    "Invalid",
    `the server rejected our request due to an error in our request: doc is missing path: "${path}"`,
  );
}
