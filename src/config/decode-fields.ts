/**
 * Table-driven decoding: each resource kind (and each object inside one) declares its fields once,
 * in a table of name, decoder, required-ness and meaning, and `decodeFields` walks it. The same
 * tables give the allowed field names (`fieldNames`) and a JSON Schema (`fieldTableToJsonSchema`).
 */
import {
  childPath,
  decodeJSON,
  decodeList,
  decodeString,
  decodeStringMap,
  type DecodeContext,
  type Field,
  type Fields,
} from "./decode.js";

/** What every decoder gets: the context at least; kinds add theirs (the API version, …). */
export interface DecodeEnv {
  readonly cx: DecodeContext;
}

/** A JSON Schema fragment (draft 2020-12), as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** How a missing required field is reported. */
export interface RequiredField {
  /** Default: `missing field: <name>`. */
  readonly message?: string;
  /** Where the error points: the object (default) or the field itself when it is written. */
  readonly at?: "object" | "field";
  /** Report the error and keep decoding the object (default: the object fails at once). */
  readonly keep?: boolean;
}

/** One field: its Go JSON name, how its value decodes (`undefined`: no value), what it means. */
export interface FieldSpec<K extends string, V, E extends DecodeEnv> {
  readonly name: K;
  readonly decode: (field: Field | undefined, env: E) => V | undefined;
  /** Set when the field must be given: a decoder giving `undefined` is then "missing". */
  readonly required?: RequiredField;
  readonly doc: string;
  readonly schema: JsonSchema;
  /** The API versions that know the field (default: all). */
  readonly versions?: readonly string[];
}

/** A field that is accepted and not used (server-set metadata, `status`, …). */
export interface IgnoredField {
  readonly name: string;
  readonly ignored: true;
  readonly doc: string;
}

/** The fields of an object that decodes to `T`, in decoding order (errors come in this order). */
export type FieldTable<T, E extends DecodeEnv> = readonly (
  | { [K in keyof T & string]-?: FieldSpec<K, Exclude<T[K], undefined>, E> }[keyof T & string]
  | IgnoredField
)[];

/** What `fieldNames` and `fieldTableToJsonSchema` read of a table, whatever it decodes to. */
type TableShape = readonly (
  | IgnoredField
  | Pick<FieldSpec<string, unknown, never>, "name" | "required" | "doc" | "schema" | "versions">
)[];

/** The names an object of this table may have, for `decodeMap`. */
export function fieldNames(table: TableShape, version?: string): string[] {
  return table
    .filter(
      (f) => "ignored" in f || version === undefined || (f.versions?.includes(version) ?? true),
    )
    .map((f) => f.name);
}

/**
 * Decodes the fields of `table` found in `fields` (only those in `pick`, when given), in table
 * order, into an object; a value a decoder gives as `undefined` is left out. A missing required
 * field is an error at `objectNode` (the node as written, alias or not); the result is then
 * `undefined`, unless the field's `required.keep` says to go on.
 */
export function decodeFields<T, E extends DecodeEnv>(
  table: FieldTable<T, E>,
  fields: Fields,
  env: E,
  objectNode: unknown,
  pick?: readonly (keyof T & string)[],
): Partial<T> | undefined {
  const out: Record<string, unknown> = {};
  for (const spec of table) {
    if ("ignored" in spec || (pick !== undefined && !pick.includes(spec.name))) continue;
    const field = fields.get(spec.name);
    const value: unknown = spec.decode(field, env);
    if (value !== undefined) {
      out[spec.name] = value;
      continue;
    }
    const required = spec.required;
    if (required === undefined) continue;
    env.cx.error(
      required.at === "field" && field !== undefined ? field.node : objectNode,
      childPath(fields.path, spec.name),
      required.message ?? `missing field: ${spec.name}`,
    );
    if (required.keep !== true) return undefined;
  }
  return out as Partial<T>;
}

/** The JSON Schema of an object with these fields (no unknown fields, as Tekton's webhook). */
export function fieldTableToJsonSchema<T, E extends DecodeEnv>(
  table: FieldTable<T, E>,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const spec of table) {
    properties[spec.name] =
      "ignored" in spec ? { description: spec.doc } : { ...spec.schema, description: spec.doc };
    if (!("ignored" in spec) && spec.required !== undefined) required.push(spec.name);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

// ------------------------------------------------------------- the common field decoders

export const STRING: JsonSchema = { type: "string" };
export const STRING_MAP: JsonSchema = { type: "object", additionalProperties: { type: "string" } };
export const ANY: JsonSchema = {};
export const listOf = (items: JsonSchema): JsonSchema => ({ type: "array", items });

/** A string; null or absent is no value. */
export function stringField(field: Field | undefined, env: DecodeEnv): string | undefined {
  return decodeString(field, env.cx);
}

/** A string where "" counts as not given (names). */
export function nonEmptyStringField(field: Field | undefined, env: DecodeEnv): string | undefined {
  const value = decodeString(field, env.cx);
  return value === "" ? undefined : value;
}

/** A map of strings; absent is `{}`. */
export function stringMapField(field: Field | undefined, env: DecodeEnv): Record<string, string> {
  return decodeStringMap(field, env.cx);
}

/** Any JSON value; absent is no value, null is `null`. */
export function jsonField(field: Field | undefined, env: DecodeEnv): unknown {
  return decodeJSON(field, env.cx);
}

/** The field as written, for the caller to decode (it needs more than the field's own node). */
export function rawField(field: Field | undefined): Field | undefined {
  return field;
}

/** A list of strings; absent is `[]`. */
export function stringListField(field: Field | undefined, env: DecodeEnv): string[] {
  return decodeList(field, env.cx, (v) => decodeString(v, env.cx));
}
