import type { TraceCarrier } from "../core/span-parent.js";
import type { RenderedResource } from "../templates/types.js";

/**
 * The annotations Tekton Pipelines reads a run's parent span from (a JSON text-map carrier):
 * its reconciler's spans for the run then join the trace that created it.
 */
export const SPAN_CONTEXT_ANNOTATIONS: Readonly<Record<string, string>> = {
  PipelineRun: "tekton.dev/pipelinerunSpanContext",
  TaskRun: "tekton.dev/taskrunSpanContext",
};

/**
 * The resource as it is created: a Tekton PipelineRun or TaskRun gets the delivery span's context
 * in its span-context annotation, unless the template set that annotation itself (then the
 * template's value stands). Any other resource, and the rendered resource itself, are unchanged.
 */
export function withSpanContext(
  resource: RenderedResource,
  carrier: TraceCarrier,
): RenderedResource {
  const annotation = SPAN_CONTEXT_ANNOTATIONS[resource.kind];
  if (annotation === undefined || !resource.apiVersion.startsWith("tekton.dev/")) return resource;
  const metadata = asRecord(resource.body["metadata"]);
  const annotations = asRecord(metadata["annotations"]);
  if (Object.hasOwn(annotations, annotation)) return resource;
  return {
    ...resource,
    body: {
      ...resource.body,
      metadata: {
        ...metadata,
        annotations: { ...annotations, [annotation]: JSON.stringify(carrier) },
      },
    },
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
