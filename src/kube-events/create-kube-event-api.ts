import { ApiException, PatchStrategy, type KubeConfig } from "@kubernetes/client-node";
import { createObjectClient } from "../sinks/kubernetes/create-object-client.js";
import type { KubeEventApi } from "./types.js";

/**
 * core/v1 Events through the dynamic object API, as hookline itself (no impersonation: the
 * Events are hookline's report, in the namespaces it serves; its Role needs `create` and `patch`
 * on `events`). Each call has its own short timeout: an Event is never worth waiting for.
 */
export function createKubeEventApi(kubeConfig: KubeConfig, timeoutMs = 5_000): KubeEventApi {
  const client = createObjectClient(kubeConfig, { impersonate: undefined, timeoutMs });
  return {
    async create(event) {
      await client.create(event);
    },
    async patch(namespace, name, body) {
      try {
        await client.patchObject(
          { apiVersion: "v1", kind: "Event", metadata: { name, namespace } },
          body,
          PatchStrategy.MergePatch,
        );
        return "patched";
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return "gone";
        throw err;
      }
    },
  };
}
