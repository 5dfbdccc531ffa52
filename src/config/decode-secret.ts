import { decodeMap, decodeString, mapEntries } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  STRING_MAP,
  stringMapField,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import { decodeMeta, META_FIELDS } from "./decode-meta.js";
import type { ConfigObject, ObjectMeta } from "./types.js";

interface SecretEnv extends DecodeEnv {
  /** The document, where a missing metadata's error points. */
  readonly docNode: unknown;
}

interface SecretFields {
  metadata: ObjectMeta;
  data: Record<string, Buffer>;
  stringData: Record<string, Buffer>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const SECRET_FIELDS: FieldTable<SecretFields, SecretEnv> = [
  { name: "apiVersion", ignored: true, doc: "v1." },
  { name: "kind", ignored: true, doc: "Secret." },
  {
    name: "metadata",
    decode: (field, { cx, docNode }) => decodeMeta(field, cx, false, docNode),
    doc: "The Secret's name and namespace.",
    schema: fieldTableToJsonSchema(META_FIELDS),
  },
  {
    name: "data",
    decode: (field, { cx }) => {
      const data: Record<string, Buffer> = {};
      for (const { key, field: entry } of mapEntries(field, cx)) {
        const b64 = decodeString(entry, cx) ?? "";
        if (!BASE64.test(b64.replace(/\s/g, ""))) {
          // The value is not echoed: it is a secret.
          cx.error(entry.node, `data[${key}]`, "invalid base64 value");
          continue;
        }
        data[key] = Buffer.from(b64, "base64");
      }
      return data;
    },
    doc: "Values, base64-encoded.",
    schema: STRING_MAP,
  },
  {
    name: "stringData",
    decode: (field, env) => {
      const data: Record<string, Buffer> = {};
      for (const [key, text] of Object.entries(stringMapField(field, env))) {
        data[key] = Buffer.from(text, "utf8");
      }
      return data;
    },
    doc: "Values as text; a key given in both wins over data, as in Kubernetes.",
    schema: STRING_MAP,
  },
  { name: "type", ignored: true, doc: "Accepted and ignored." },
  { name: "immutable", ignored: true, doc: "Accepted and ignored." },
];

/** A v1 Secret: its values from `data` (base64) and `stringData`. */
export function decodeSecret(
  node: unknown,
  env: DecodeEnv,
  apiVersion: string,
): ConfigObject | undefined {
  const { cx } = env;
  const f = decodeMap(node, "", cx, fieldNames(SECRET_FIELDS));
  if (f === undefined) return undefined;
  const senv = { cx, docNode: node };
  const { metadata } = decodeFields(SECRET_FIELDS, f, senv, node, ["metadata"]) ?? {};
  if (metadata === undefined) return undefined;
  const { data = {}, stringData = {} } =
    decodeFields(SECRET_FIELDS, f, senv, node, ["data", "stringData"]) ?? {};
  return {
    kind: "Secret",
    apiVersion,
    metadata,
    data: { ...data, ...stringData },
    loc: cx.loc(node, ""),
  };
}
