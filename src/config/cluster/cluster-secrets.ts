import { KubeApiError, type KubeHttp } from "./kube-http.js";

export const SECRET_CACHE_MS = 5_000;

/** Secrets read from the Kubernetes API, as Tekton's interceptors read them. */
export interface ClusterSecrets {
  /**
   * The keys of Secret `namespace/name` (values decoded from base64), or undefined when there is
   * no such Secret. Other failures (403, an unreachable server) throw, with no value in the message.
   */
  get(namespace: string, name: string): Promise<Readonly<Record<string, Buffer>> | undefined>;
}

/** Kubernetes object names (DNS subdomains): nothing that could change the request path. */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * GETs `/api/v1/namespaces/<ns>/secrets/<name>` and keeps the answer (found or not found) for
 * 5 s, like Tekton's secret getter: a rotated secret is picked up quickly, and a burst of
 * webhooks does not become a burst of API requests. Values are held as Buffers and never logged.
 */
export function createClusterSecrets(http: KubeHttp, cacheMs = SECRET_CACHE_MS): ClusterSecrets {
  const cache = new Map<
    string,
    { value: Promise<Readonly<Record<string, Buffer>> | undefined>; until: number }
  >();
  const read = async (
    namespace: string,
    name: string,
  ): Promise<Readonly<Record<string, Buffer>> | undefined> => {
    let secret: { data?: Record<string, string> | null };
    try {
      secret = await http.get(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`,
      );
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined;
      throw new Error(
        `secret ${namespace}/${name} could not be read from the cluster: ${
          err instanceof KubeApiError ? `${err.code} ${err.reason}` : (err as Error).message
        }`,
        { cause: err },
      );
    }
    const data: Record<string, Buffer> = {};
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      if (typeof value === "string") data[key] = Buffer.from(value, "base64");
    }
    return data;
  };
  return {
    get(namespace, name) {
      if (!NAME.test(namespace) || !NAME.test(name)) return Promise.resolve(undefined);
      const key = `${namespace}/${name}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit !== undefined && hit.until > now) return hit.value;
      const value = read(namespace, name);
      cache.set(key, { value, until: now + cacheMs });
      // A failure is not kept: the next request asks again.
      value.catch(() => {
        if (cache.get(key)?.value === value) cache.delete(key);
      });
      // Forget expired entries now and then, so that the cache does not grow without bound.
      if (cache.size > 1_000) {
        for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
      }
      return value;
    },
  };
}
