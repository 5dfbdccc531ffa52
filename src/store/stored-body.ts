import type { StoredBody } from "./types.js";

type NotKept = Extract<StoredBody, { kind: "not-kept" }>;

/** What a journal writes in `body_not_kept` for a body not kept (NULL for one kept). */
export function notKeptColumn(body: NotKept): { size: number; sha256: string; reason: string } {
  return { size: body.size, sha256: body.sha256, reason: body.reason };
}

/**
 * The body from a row's `body` and `body_not_kept` columns: kept bytes when the latter is NULL
 * (every row from before bodies could be left out), else the metadata it holds.
 */
export function parseStoredBody(bytes: Buffer, notKept: unknown): StoredBody {
  if (notKept === null || notKept === undefined) return { kind: "kept", bytes };
  const m = (typeof notKept === "object" ? notKept : {}) as Record<string, unknown>;
  return {
    kind: "not-kept",
    size: typeof m["size"] === "number" ? m["size"] : 0,
    sha256: typeof m["sha256"] === "string" ? m["sha256"] : "",
    reason: typeof m["reason"] === "string" ? m["reason"] : "",
  };
}
