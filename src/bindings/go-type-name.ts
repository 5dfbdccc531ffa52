/**
 * The Go type a JSON value decodes to (`json.Unmarshal` into `interface{}`), for client-go's
 * error wording such as `map[string]interface {} is not array or slice`.
 */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return "[]interface {}";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "float64";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "object") return "map[string]interface {}";
  return typeof value;
}
