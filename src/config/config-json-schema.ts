import { BINDING_SPEC_FIELDS } from "./decode-binding-spec.js";
import { INTERCEPTOR_SPEC_FIELDS } from "./decode-client-config.js";
import { EVENT_LISTENER_SPEC_FIELDS } from "./decode-event-listener.js";
import { fieldTableToJsonSchema, type JsonSchema } from "./decode-fields.js";
import { META_FIELDS } from "./decode-meta.js";
import { SECRET_FIELDS } from "./decode-secret.js";
import { TEMPLATE_SPEC_FIELDS } from "./decode-template-spec.js";
import { TRIGGER_SPEC_TABLE } from "./decode-trigger.js";

/** Where the committed schema is, and the `$id` editors see. */
export const CONFIG_SCHEMA_FILE = "schema/hookline-config.schema.json";

/**
 * The JSON Schema of one config document (draft 2020-12), for editors (`# yaml-language-server:
 * $schema=…`): made from the same field tables the decoder walks (decode-*.ts), so that the two
 * cannot drift (a test compares it with the committed file). A Tekton Triggers kind is checked
 * field by field (unknown fields refused, as `validate` refuses them), a `v1` Secret too, a `v1`
 * List item by item; any other document (a Task, RBAC) is accepted, as hookline skips it.
 * Limits: field names are matched exactly (hookline, as Go's decoder, also takes another case),
 * and a field only one API version knows is allowed in both.
 */
export function configJsonSchema(): JsonSchema {
  const TRIGGERS_VERSION = {
    enum: ["triggers.tekton.dev/v1beta1", "triggers.tekton.dev/v1alpha1"],
  };
  const metadata = fieldTableToJsonSchema(META_FIELDS);
  const triggersKind = (kind: string | readonly string[], spec: JsonSchema): JsonSchema => ({
    if: {
      properties: {
        apiVersion: TRIGGERS_VERSION,
        kind: typeof kind === "string" ? { const: kind } : { enum: kind },
      },
      required: ["apiVersion", "kind"],
    },
    then: {
      type: "object",
      properties: {
        apiVersion: TRIGGERS_VERSION,
        kind: { type: "string" },
        metadata: {
          ...metadata,
          description: "The object's name, namespace, labels and annotations.",
        },
        spec,
        status: { description: "Set by the cluster; not read." },
      },
      required: ["apiVersion", "kind", "metadata"],
      additionalProperties: false,
    },
  });
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://hookline.dev/schema/hookline-config.schema.json",
    title: "hookline configuration document",
    description:
      "A Tekton Triggers object hookline reads (EventListener, Trigger, TriggerBinding, ClusterTriggerBinding, TriggerTemplate, Interceptor, ClusterInterceptor), a v1 Secret or a v1 List of them; other kinds are skipped. Generated from hookline's decoder tables by `npm run schema`.",
    type: "object",
    required: ["apiVersion", "kind"],
    allOf: [
      triggersKind("EventListener", fieldTableToJsonSchema(EVENT_LISTENER_SPEC_FIELDS)),
      triggersKind("Trigger", {
        ...fieldTableToJsonSchema(TRIGGER_SPEC_TABLE),
        required: ["template"],
      }),
      triggersKind(
        ["TriggerBinding", "ClusterTriggerBinding"],
        fieldTableToJsonSchema(BINDING_SPEC_FIELDS),
      ),
      triggersKind("TriggerTemplate", fieldTableToJsonSchema(TEMPLATE_SPEC_FIELDS)),
      triggersKind(
        ["Interceptor", "ClusterInterceptor"],
        fieldTableToJsonSchema(INTERCEPTOR_SPEC_FIELDS),
      ),
      {
        if: {
          properties: { apiVersion: { const: "v1" }, kind: { const: "Secret" } },
          required: ["apiVersion", "kind"],
        },
        then: fieldTableToJsonSchema(SECRET_FIELDS),
      },
      {
        if: {
          properties: { apiVersion: { const: "v1" }, kind: { const: "List" } },
          required: ["apiVersion", "kind"],
        },
        then: {
          properties: { items: { type: "array", items: { $ref: "#" } } },
        },
      },
    ],
  };
}
