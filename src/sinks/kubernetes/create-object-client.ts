import {
  createConfiguration,
  HttpMethod,
  KubeConfig,
  type KubernetesObject,
  type PatchStrategy,
  KubernetesObjectApi,
  ServerConfiguration,
  type User,
  type V1APIResource,
} from "@kubernetes/client-node";
import { createKubeHttpLibrary } from "./create-kube-http-library.js";

/**
 * The dynamic object API, with discovery (`/api/v1`, `/apis/<group>/<version>`: a kind's plural
 * name and whether it is namespaced) made visible: the client keeps it to itself, and the sink
 * needs it to name where an object was created.
 */
export class ObjectClient extends KubernetesObjectApi {
  /** The resource that serves `kind` in `apiVersion`, from discovery (cached per client). */
  discover(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }

  /**
   * PATCHes an object with `body` sent as it is, in the content type given. The client's own
   * `patch` serializes its argument as an object of the target's kind, so it cannot send a JSON
   * patch (a list of operations); this builds the same request around the body unchanged.
   */
  async patchObject(
    target: KubernetesObject,
    body: unknown,
    contentType: PatchStrategy,
  ): Promise<KubernetesObject> {
    const path = await this.specUriPath(target, "patch");
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    request.setHeaderParam("Accept", "application/json, */*;q=0.8");
    request.setHeaderParam("Content-Type", contentType);
    request.setBody(JSON.stringify(body));
    return this.requestPromise(request);
  }
}

export interface ObjectClientOptions {
  /** `system:serviceaccount:<ns>:<sa>`, sent as `Impersonate-User`; undefined to act as itself. */
  impersonate: string | undefined;
  /** Per request (discovery, list, create, read). */
  timeoutMs: number;
}

/**
 * A client for the kubeconfig's current context. Impersonation goes through the kubeconfig's own
 * field for it (`users[].user.as`, which the client sends as `Impersonate-User`): a copy of the
 * current user with `as` set, so the credentials are the same and nothing else changes.
 */
export function createObjectClient(kc: KubeConfig, options: ObjectClientOptions): ObjectClient {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster === null || user === null) {
    throw new Error("the kubeconfig has no current context with a cluster and a user");
  }
  let auth = kc;
  if (options.impersonate !== undefined) {
    auth = new KubeConfig();
    const impersonated: User = { ...user, impersonateUser: options.impersonate };
    auth.loadFromOptions({
      clusters: kc.clusters,
      users: kc.users.map((u) => (u.name === user.name ? impersonated : u)),
      contexts: kc.contexts,
      currentContext: kc.getCurrentContext(),
    });
  }
  return new ObjectClient(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: auth },
      httpApi: createKubeHttpLibrary({ timeoutMs: options.timeoutMs, proxyUrl: cluster.proxyUrl }),
    }),
  );
}
