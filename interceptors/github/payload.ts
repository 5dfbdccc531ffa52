import { isRecord, type InterceptorRequest } from "../../src/interceptors/public.js";

/** A body the github interceptor's API features could not use; the text is Tekton's. */
export class PayloadError extends Error {
  override readonly name = "PayloadError";
}

/**
 * The body as a JSON object, as Tekton's `json.Unmarshal` into `map[string]interface{}` wants it.
 * `emptyMessage` differs between Tekton's two parsers (`body is empty`, `payload body is empty`).
 */
export function parsePayloadObject(
  req: InterceptorRequest,
  emptyMessage: string,
): Record<string, unknown> {
  if (req.body.length === 0) throw new PayloadError(emptyMessage);
  let json: unknown;
  try {
    json = req.bodyJSON();
  } catch (err) {
    throw new PayloadError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(json))
    throw new PayloadError(
      `json: cannot unmarshal ${json === null ? "null" : Array.isArray(json) ? "array" : typeof json} into Go value of type map[string]interface {}`,
    );
  return json;
}

/**
 * `repository.full_name` split into owner and repository, with Tekton's messages. Tekton takes
 * the parts before and after the first `/` (a name without one makes it panic; hookline says so).
 */
export function parseRepository(json: Record<string, unknown>): { owner: string; repo: string } {
  const repository = json["repository"];
  if (!isRecord(repository)) throw new PayloadError("payload body missing 'repository' field");
  const fullName = repository["full_name"];
  if (typeof fullName !== "string")
    throw new PayloadError("payload body missing 'repository.full_name' field");
  const parts = fullName.split("/");
  const owner = parts[0] ?? "";
  const repo = parts[1];
  if (repo === undefined)
    throw new PayloadError("payload body 'repository.full_name' is not of the form owner/name");
  return { owner, repo };
}

/**
 * A JSON number as Go's `int(x.(float64))` makes it (truncated), or undefined when the value is
 * not a number (Tekton's type assertion would panic there).
 */
export function goInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : undefined;
}
