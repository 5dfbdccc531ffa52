import { PatchStrategy } from "@kubernetes/client-node";
import type { Logger } from "../../core/logger.js";
import { assertNever } from "../../errors/assert-never.js";
import { HooklineError } from "../../errors/hookline-error.js";
import type { PatchType, RenderedPatch } from "../../templates/types.js";
import type { PatchedTarget } from "../types.js";
import { classifyKubeError } from "./classify-kube-error.js";
import type { ObjectClient } from "./create-object-client.js";

/** The content type the API server reads each patch type as. */
export function patchContentType(type: PatchType): PatchStrategy {
  switch (type) {
    case "merge":
      return PatchStrategy.MergePatch;
    case "json":
      return PatchStrategy.JsonPatch;
    case "strategic":
      return PatchStrategy.StrategicMergePatch;
    default:
      return assertNever(type);
  }
}

/**
 * Applies a patch through the dynamic object API: discovery finds the target's plural name and
 * scope (a cluster-scoped target ignores the namespace). A target that does not exist (404), a
 * kind the server does not serve, a patch it refuses (400, 422, 415 for `strategic` on a custom
 * resource) are permanent; 409 (a conflicting write), 429 and 5xx are retried, as are the
 * connection failures classifyKubeError retries.
 */
export async function applyPatch(
  client: ObjectClient,
  patch: RenderedPatch,
  what: string,
  user: string | undefined,
  log: Logger,
): Promise<PatchedTarget> {
  const { apiVersion, kind, name } = patch.target;
  const api = await client.discover(apiVersion, kind);
  if (api === undefined) {
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `${what}: the Kubernetes API serves no kind "${kind}" in "${apiVersion}" (is its CustomResourceDefinition installed?)`,
      { retryable: false, status: 404, reason: "NotFound" },
    );
  }
  const namespace = api.namespaced ? patch.target.namespace : undefined;
  log.debug("patching through the Kubernetes API", { kind, namespace, name, as: user });
  try {
    await client.patchObject(
      { apiVersion, kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) } },
      patch.patch,
      patchContentType(patch.type),
    );
  } catch (err) {
    const classified = classifyKubeError(err, what);
    // A patch carries no resourceVersion: a 409 is a write that raced another, not a clash of
    // names as for a create, and trying again can pass.
    if (classified.details["status"] === 409) classified.details["retryable"] = true;
    throw classified;
  }
  const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace === undefined ? "" : `/namespaces/${namespace}`;
  return {
    apiVersion,
    kind,
    namespace: namespace ?? "",
    name,
    location: `${root}${ns}/${api.name}/${name}`,
  };
}
