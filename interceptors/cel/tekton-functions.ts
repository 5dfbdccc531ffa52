import type { Environment } from "@marcbachmann/cel-js";
import { parse as parseYAMLText } from "yaml";
import { canonicalHeaderKey, isRecord, safeEqual } from "../../src/interceptors/public.js";
import { decodeBase64 } from "./base64.js";
import { chargeLength } from "./budget.js";
import { toCelValue } from "./cel-value.js";
import { marshalJSON } from "./marshal-json.js";
import { parseURL } from "./parse-url.js";
import { lookupSecret } from "./secret-scope.js";
import { translate } from "./re2.js";

/**
 * Registers Tekton's own CEL functions (`triggers.go` CompileOptions; TEKTON-SPEC §4.5), plus
 * `decodeb64`, removed from Tekton in 2022 but kept here as an alias so that old YAML still loads.
 */
export function registerTektonFunctions(env: Environment): void {
  env
    .registerFunction(
      "map.match(string, string): bool",
      (h: unknown, key: string, value: string) => headerGet(h, key) === value,
    )
    .registerFunction("map.canonical(string): string", (h: unknown, key: string) =>
      headerGet(h, key),
    )
    .registerFunction("string.truncate(int): string", truncate)
    .registerFunction(
      "string.compareSecret(string, string): bool",
      (s: string, key: string, name: string) => safeEqual(s, lookupSecret(name, key)),
    )
    // The namespace argument is accepted and ignored, as in Tekton: secrets come from the trigger's namespace.
    .registerFunction(
      "string.compareSecret(string, string, string): bool",
      (s: string, key: string, name: string) => safeEqual(s, lookupSecret(name, key)),
    )
    .registerFunction("string.parseJSON(): map<string, dyn>", parseJSONObject)
    .registerFunction("string.parseYAML(): map<string, dyn>", parseYAMLObject)
    .registerFunction("string.parseURL(): map<string, dyn>", (s: string) => {
      chargeLength(s.length);
      return toCelValue(parseURL(s));
    })
    .registerFunction("map.marshalJSON(): string", marshalJSON)
    .registerFunction("list.marshalJSON(): string", marshalJSON)
    .registerFunction("list.first(): dyn", (list: readonly unknown[]) =>
      list.length === 0 ? null : list[0],
    )
    .registerFunction("list.last(): dyn", (list: readonly unknown[]) =>
      list.length === 0 ? null : list[list.length - 1],
    )
    .registerFunction("string.translate(string, string): string", translate)
    .registerFunction("string.decodeb64(): string", (s: string) => {
      chargeLength(s.length);
      return decodeBase64(s).toString("utf8");
    });
}

/**
 * Go's http.Header.Get on a CEL map: canonical key, first value, "" when absent. Tekton first
 * converts the map to an http.Header (`map[string][]string`) and fails the expression when it
 * cannot — `body.match(…)` on a payload is an error there, not false — so this does too.
 */
function headerGet(header: unknown, key: string): string {
  const entries: [unknown, unknown][] =
    header instanceof Map
      ? [...(header as Map<unknown, unknown>).entries()]
      : isRecord(header)
        ? Object.entries(header)
        : [];
  for (const [name, values] of entries) {
    const wrong =
      typeof name !== "string"
        ? `a ${celTypeName(name)} key`
        : !Array.isArray(values)
          ? `${celTypeName(values)} at ${name}`
          : (values as unknown[]).some((v) => typeof v !== "string")
            ? `a list with a non-string value at ${name}`
            : undefined;
    if (wrong !== undefined)
      throw new Error(`failed to convert to http.Header: ${wrong} is not a list of strings`);
  }
  const canonical = canonicalHeaderKey(key);
  const values = entries.find(([name]) => name === canonical)?.[1];
  const first: unknown = Array.isArray(values) ? (values as unknown[])[0] : undefined;
  return typeof first === "string" ? first : "";
}

/** The CEL type's name of a value, for messages. */
function celTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (value instanceof Map || typeof value === "object") return "map";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number") return "double";
  return typeof value;
}

/**
 * Go slices strings by bytes: `s[:n]` can cut a multi-byte character in half. Go's JSON encoder later
 * replaces the broken tail with U+FFFD, and decoding the cut bytes here gives exactly that.
 */
function truncate(s: string, n: bigint): string {
  if (n < 0n) throw new Error(`truncate: negative length ${n}`);
  chargeLength(s.length);
  const bytes = Buffer.from(s, "utf8");
  if (n >= BigInt(bytes.length)) return s;
  return bytes.subarray(0, Number(n)).toString("utf8");
}

function parseJSONObject(s: string): unknown {
  chargeLength(s.length);
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch (cause) {
    throw new Error(`failed to decode '${s}' in parseJSON: ${errorText(cause)}`, { cause });
  }
  return asObject(value, s, "parseJSON");
}

/** sigs.k8s.io/yaml reads YAML 1.1 (yes/no are bools) and goes through JSON, so numbers are doubles. */
function parseYAMLObject(s: string): unknown {
  chargeLength(s.length * 8); // the YAML parser is several times slower than JSON.parse
  let value: unknown;
  try {
    value = JSON.parse(JSON.stringify(parseYAMLText(s, { version: "1.1" }) ?? null));
  } catch (cause) {
    throw new Error(`failed to decode '${s}' in parseYAML: ${errorText(cause)}`, { cause });
  }
  return asObject(value, s, "parseYAML");
}

/** The decoded object as CEL must see it (cel-value.ts), or the error Go's decoder gives. */
function asObject(value: unknown, s: string, fn: string): unknown {
  if (value === null) return {}; // Go: unmarshalling null into a map leaves it empty, without error
  // The JSON text may skip the walk when it names no unsafe key; YAML has other escapes (\x63).
  if (isRecord(value)) return toCelValue(value, fn === "parseJSON" ? s : undefined);
  const kind = Array.isArray(value) ? "array" : typeof value;
  throw new Error(
    `failed to decode '${s}' in ${fn}: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
