import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { SecretValues } from "../core/secret-values.js";
import { HooklineError } from "../errors/hookline-error.js";
import type { SecretRef, SecretResolver } from "../interceptors/types.js";

/** Kubernetes object names: nothing that could climb out of the secrets directory. */
const SAFE_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const CACHE_MS = 5_000;

export interface SecretSources {
  /** `kind: Secret` documents of the config, by `namespace/name`. */
  fromConfig: ReadonlyMap<string, Readonly<Record<string, Buffer>>>;
  /** A directory laid out like a mounted Secret: `DIR/<secretName>/<secretKey>`. */
  dir?: string | undefined;
  /** The Kubernetes API (`serve --config kubernetes`), asked last; undefined when not found. */
  cluster?:
    | {
        get(namespace: string, name: string): Promise<Readonly<Record<string, Buffer>> | undefined>;
      }
    | undefined;
  /**
   * Learns every value handed out, and the config's own Secrets at once, so that they are
   * redacted by value wherever they would be stored or shown.
   */
  values?: SecretValues | undefined;
}

/**
 * Resolves `secretRef`s: the config's Secrets first (in the trigger's namespace, as Tekton reads
 * them), then the secrets directory, then (`--config kubernetes`) the cluster — asked only when
 * the config has no Secret of that name. Values read from files are cached for 5 s, like Tekton's
 * secret getter, so a rotated file is picked up quickly. No message ever holds a value. Every
 * value handed out is learned by `sources.values` (the config's Secrets as soon as this is made).
 */
export function createSecretResolver(sources: SecretSources): SecretResolver {
  const { values } = sources;
  if (values !== undefined) {
    for (const secret of sources.fromConfig.values())
      for (const value of Object.values(secret)) values.learn(value);
  }
  const get = resolveSecret(sources);
  return values === undefined
    ? { get }
    : {
        async get(ref, namespace) {
          const value = await get(ref, namespace);
          values.learn(value);
          return value;
        },
      };
}

function resolveSecret(sources: SecretSources): SecretResolver["get"] {
  const cache = new Map<string, { value: Buffer; until: number }>();
  return async (ref: SecretRef, namespace: string): Promise<Buffer> => {
    const fromConfig = sources.fromConfig.get(`${namespace}/${ref.secretName}`);
    const value = fromConfig?.[ref.secretKey];
    if (value !== undefined) return value;
    if (
      sources.dir !== undefined &&
      SAFE_NAME.test(ref.secretName) &&
      SAFE_NAME.test(ref.secretKey)
    ) {
      const path = join(sources.dir, ref.secretName, ref.secretKey);
      const hit = cache.get(path);
      if (hit !== undefined && hit.until > Date.now()) return hit.value;
      try {
        const file = await readFile(path);
        cache.set(path, { value: file, until: Date.now() + CACHE_MS });
        return file;
      } catch {
        // Not there: fall through to the cluster, then to the not-found error.
      }
    }
    // A failure to read it (403, no API server) throws here, with no value in the message.
    const fromCluster =
      fromConfig === undefined ? await sources.cluster?.get(namespace, ref.secretName) : undefined;
    const clusterValue = fromCluster?.[ref.secretKey];
    if (clusterValue !== undefined) return clusterValue;
    const what =
      fromConfig === undefined && fromCluster === undefined
        ? `secret ${namespace}/${ref.secretName} not found`
        : `cannot find ${ref.secretKey} key in secret ${namespace}/${ref.secretName}`;
    throw new HooklineError("HL_SECRET_NOT_FOUND", what, {
      secret: `${namespace}/${ref.secretName}`,
      key: ref.secretKey,
    });
  };
}
