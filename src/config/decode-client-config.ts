import { isScalar } from "yaml";
import { decodeMap, type Field } from "./decode.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  STRING,
  stringField,
  type DecodeEnv,
  type FieldTable,
} from "./decode-fields.js";
import type { ClientConfig } from "./types.js";

type Service = NonNullable<ClientConfig["service"]>;

export const SERVICE_FIELDS: FieldTable<Service, DecodeEnv> = [
  {
    name: "name",
    decode: (field, env) => stringField(field, env) ?? "",
    doc: "The Service's name.",
    schema: STRING,
  },
  {
    name: "namespace",
    decode: (field, env) => stringField(field, env) ?? "",
    doc: "The Service's namespace.",
    schema: STRING,
  },
  { name: "path", decode: stringField, doc: "The URL path on the Service.", schema: STRING },
  {
    name: "port",
    decode: (field, { cx }) => {
      const node = cx.deref(field?.node);
      const port = isScalar(node) ? Number(node.value) : undefined;
      return port !== undefined && Number.isInteger(port) ? port : undefined;
    },
    doc: "The Service's port (default 80, or 443 with a caBundle).",
    schema: { type: "integer" },
  },
];

export const CLIENT_CONFIG_FIELDS: FieldTable<ClientConfig, DecodeEnv> = [
  { name: "url", decode: stringField, doc: "The interceptor's URL.", schema: STRING },
  {
    name: "caBundle",
    decode: stringField,
    doc: "PEM CA certificates that sign the interceptor's TLS certificate.",
    schema: STRING,
  },
  {
    name: "service",
    decode: (field, env) => {
      if (field === undefined) return undefined;
      const f = decodeMap(field.node, field.path, env.cx, fieldNames(SERVICE_FIELDS));
      const s = f && decodeFields(SERVICE_FIELDS, f, env, field.node);
      return s && { name: "", namespace: "", ...s };
    },
    doc: "A Kubernetes Service to reach the interceptor at (instead of url).",
    schema: fieldTableToJsonSchema(SERVICE_FIELDS),
  },
];

/** An Interceptor's (or ClusterInterceptor's) spec. */
export const INTERCEPTOR_SPEC_FIELDS: FieldTable<{ clientConfig: ClientConfig }, DecodeEnv> = [
  {
    name: "clientConfig",
    decode: (field, env) => decodeClientConfig(field, env),
    doc: "Where the interceptor is: a url, or a service.",
    schema: fieldTableToJsonSchema(CLIENT_CONFIG_FIELDS),
  },
];

/** `spec.clientConfig`: at most one of url and service. */
export function decodeClientConfig(
  field: Field | undefined,
  env: DecodeEnv,
): ClientConfig | undefined {
  const c = decodeMap(field?.node, "spec.clientConfig", env.cx, fieldNames(CLIENT_CONFIG_FIELDS));
  const out = c && decodeFields(CLIENT_CONFIG_FIELDS, c, env, field?.node);
  if (c === undefined || out === undefined) return undefined;
  if (out.url !== undefined && out.service !== undefined) {
    env.cx.error(
      c.node,
      "spec.clientConfig",
      "expected exactly one, got both: spec.clientConfig.url, spec.clientConfig.service",
    );
  }
  return out;
}
