import { assertNever } from "../errors/assert-never.js";
import { finishHttpRequest, isHttpRequestEntry } from "./rendered-http-request.js";
import { finishPatch, isPatchEntry } from "./rendered-patch.js";
import type {
  CompiledTemplate,
  RenderedResource,
  RenderInput,
  TemplateNode,
  TextPart,
} from "./types.js";

export const LABEL_EVENT_LISTENER = "triggers.tekton.dev/eventlistener";
export const LABEL_TRIGGER = "triggers.tekton.dev/trigger";
export const LABEL_EVENT_ID = "triggers.tekton.dev/triggers-eventid";

/**
 * Renders every resource of a template, in order. Substitution is structural: a param value is
 * placed inside the string that held its placeholder and stays a string, whatever quotes, newlines
 * or braces it holds, so a payload can never change a resource's shape (Tekton splices raw JSON
 * text instead; TEKTON-SPEC §5.5). Every `$(` in a value becomes `$$(`, as Tekton ≥ 0.34 does,
 * so payload text cannot become a live Tekton Pipelines variable. One pass: a value that itself
 * reads `$(uid)` or `$(tt.params.x)` is not substituted again.
 */
export function renderTemplate(template: CompiledTemplate, input: RenderInput): RenderedResource[] {
  return template.resources.map((node) => {
    const rendered = renderNode(node, input);
    const entry = rendered as Record<string, unknown>;
    if (isPatchEntry(entry)) return finishPatch(rendered, input);
    if (isHttpRequestEntry(entry)) return finishHttpRequest(rendered, input);
    return finishResource(rendered, input);
  });
}

function renderNode(node: TemplateNode, input: RenderInput): unknown {
  switch (node.kind) {
    case "constant":
      return node.value;
    case "text":
      return renderText(node.parts, input);
    case "list":
      return node.items.map((item) => renderNode(item, input));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of node.entries)
        out[String(renderNode(key, input))] = renderNode(value, input);
      return out;
    }
    default:
      return assertNever(node);
  }
}

function renderText(parts: readonly TextPart[], input: RenderInput): string {
  let out = "";
  for (const part of parts) {
    switch (part.kind) {
      case "text":
        out += part.text;
        break;
      case "uid":
        out += input.uid;
        break;
      case "param": {
        const value = input.params.get(part.name);
        // A declared param with no default and no binding stays as written, as in Tekton.
        out += value === undefined ? `$(tt.params.${part.name})` : value.replaceAll("$(", "$$$$(");
        break;
      }
      default:
        assertNever(part);
    }
  }
  return out;
}

function finishResource(rendered: unknown, input: RenderInput): RenderedResource {
  const body = { ...(rendered as Record<string, unknown>) };
  const meta = isObject(body["metadata"]) ? { ...body["metadata"] } : {};
  const labels = isObject(meta["labels"]) ? { ...meta["labels"] } : {};
  labels[LABEL_EVENT_LISTENER] = input.eventListener;
  labels[LABEL_TRIGGER] = input.trigger;
  labels[LABEL_EVENT_ID] = input.eventId;
  meta["labels"] = labels;
  const namespace =
    typeof meta["namespace"] === "string" && meta["namespace"] !== ""
      ? meta["namespace"]
      : input.namespace;
  meta["namespace"] = namespace;
  body["metadata"] = meta;
  return {
    apiVersion: String(body["apiVersion"]),
    kind: String(body["kind"]),
    namespace,
    name: typeof meta["name"] === "string" && meta["name"] !== "" ? meta["name"] : undefined,
    generateName: typeof meta["generateName"] === "string" ? meta["generateName"] : undefined,
    body,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
