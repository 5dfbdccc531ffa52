/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Looks a param up the way Go's encoding/json matches struct fields: the exact name first, then
 * case-insensitively (Tekton's own examples write `CheckType` for `checkType`).
 * @example const filter = paramValue(params, "filter");
 */
export function paramValue(params: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(params, name)) return params[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(params)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}
