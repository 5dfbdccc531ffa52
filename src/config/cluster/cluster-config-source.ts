import type { KubeConfig } from "@kubernetes/client-node";
import type { InterceptorRegistry } from "../../interceptors/registry.js";
import type { Logger } from "../../core/logger.js";
import { compileConfig } from "../compile-config.js";
import type { CompiledConfig } from "../compiled.js";
import { note, warning } from "../issues.js";
import {
  decodeConfigDir,
  decodeConfigText,
  markDuplicates,
  type DecodedConfig,
} from "../load-config.js";
import { createClusterSecrets, SECRET_CACHE_MS, type ClusterSecrets } from "./cluster-secrets.js";
import { KubeHttp, type KubeObject } from "./kube-http.js";
import { watchResource, type ResourceWatch, type WatchedKind } from "./watch-resource.js";

/** The annotation that has hookline serve an EventListener read from the cluster. */
export const SERVE_ANNOTATION = "hookline.dev/serve";

const GROUP = "triggers.tekton.dev";
const BOTH = ["v1beta1", "v1alpha1"] as const;

/**
 * The kinds read from the cluster. The API server serves the same objects at every version of a
 * CRD, so each kind is read at one: v1beta1 (the storage version), or v1alpha1 where v1beta1 is
 * not served (older Tekton Triggers; Interceptor and ClusterInterceptor exist only there).
 */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  { group: GROUP, kind: "EventListener", plural: "eventlisteners", versions: BOTH },
  { group: GROUP, kind: "Trigger", plural: "triggers", versions: BOTH },
  { group: GROUP, kind: "TriggerBinding", plural: "triggerbindings", versions: BOTH },
  { group: GROUP, kind: "ClusterTriggerBinding", plural: "clustertriggerbindings", versions: BOTH },
  { group: GROUP, kind: "TriggerTemplate", plural: "triggertemplates", versions: BOTH },
  { group: GROUP, kind: "Interceptor", plural: "interceptors", versions: ["v1alpha1"] },
  {
    group: GROUP,
    kind: "ClusterInterceptor",
    plural: "clusterinterceptors",
    versions: ["v1alpha1"],
  },
];

/** `serve --config kubernetes`: reading the configuration from the cluster. */
export interface ClusterConfigOptions {
  /** Default: found as kubectl finds it (KUBECONFIG, ~/.kube/config, the pod's service account). */
  kubeConfig?: KubeConfig | undefined;
  /**
   * `--all-listeners`: serve every EventListener read, not only those annotated
   * `hookline.dev/serve: "true"` (which lets hookline run beside a Tekton Triggers controller).
   */
  allListeners?: boolean | undefined;
  /** How long the cluster's objects must be quiet before a change is loaded (default 200 ms). */
  debounceMs?: number | undefined;
  /** Each list and GET (default 15 s). */
  requestTimeoutMs?: number | undefined;
  /** How long a Secret read from the API is kept (default 5 s). */
  secretCacheMs?: number | undefined;
  /** How long each watch runs before it is reopened (default 300 s). */
  watchSeconds?: number | undefined;
}

export interface ClusterConfigSource {
  /**
   * Decodes the objects read so far into `out` (after what is there: on a clash the cluster's
   * object wins, with a warning). Each object is decoded as the JSON of the resource with its
   * `status` and server-set metadata left out, as the "file" `<Kind> <namespace>/<name>`: an
   * issue reads `TriggerTemplate ci/build:12:9 spec.resourcetemplates[0]…`, its line and column
   * being those of that JSON (`kubectl get -o json` with the same fields dropped).
   */
  decodeInto(out: DecodedConfig, registry: InterceptorRegistry): void;
  /**
   * How many objects the last `decodeInto` left out for document errors of their own. One broken
   * object (even one only Tekton's own controller serves) never takes the rest down: it is left
   * out with its errors reported as warnings at its place, and whatever refers to it fails as a
   * missing reference would.
   */
  invalidObjects(): number;
  /** `fn` runs (debounced) after the cluster's objects change. */
  onChange(fn: () => void): void;
  /** Secrets from the API, for `secretRef`s not found in the config or the secrets directory. */
  secrets: ClusterSecrets;
  close(): void;
}

/**
 * Lists and watches the triggers.tekton.dev kinds in all namespaces (an EventListener's
 * namespaceSelector may reach any) and resolves once each has been listed. Throws when a first
 * list fails (no access, no API server): serving without the configuration is pointless.
 */
export async function startClusterConfig(
  options: ClusterConfigOptions & { log: Logger },
): Promise<ClusterConfigSource> {
  const { log } = options;
  const kc =
    options.kubeConfig ??
    (await import("../../sinks/kubernetes/load-kube-config.js")).loadKubeConfig();
  const http = new KubeHttp(kc, options.requestTimeoutMs ?? 15_000);
  const debounceMs = options.debounceMs ?? 200;
  const listeners: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let closed = false;
  const changed = (): void => {
    if (!started || closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const fn of listeners) fn();
    }, debounceMs);
  };
  const watches: ResourceWatch[] = WATCHED_KINDS.map((type) =>
    watchResource({
      http,
      type,
      log,
      onChange: changed,
      ...(options.watchSeconds === undefined ? {} : { watchSeconds: options.watchSeconds }),
    }),
  );
  const close = (): void => {
    closed = true;
    clearTimeout(timer);
    for (const w of watches) w.close();
  };
  try {
    await Promise.all(watches.map((w) => w.ready));
  } catch (err) {
    close();
    throw new Error(
      `the Tekton Triggers resources could not be read from the cluster: ${(err as Error).message}`,
      { cause: err },
    );
  }
  started = true;
  /** The text of each object, made once per object version (a change replaces the object). */
  const texts = new WeakMap<KubeObject, string>();
  let invalid = 0;
  /** The objects each resource last decoded to without a document error, by `Kind ns/name`. */
  const lastGood = new Map<string, DecodedConfig["objects"]>();

  return {
    invalidObjects: () => invalid,
    decodeInto(out, registry) {
      invalid = 0;
      for (const w of watches) {
        const objects = [...w.objects()].sort((a, b) => name(a).localeCompare(name(b)));
        for (const obj of objects) {
          const file = name(obj);
          if (obj.kind === "EventListener" && options.allListeners !== true && !served(obj)) {
            out.issues.push(
              note(
                { file, line: 1, column: 1, field: "" },
                `not served: not annotated ${SERVE_ANNOTATION}: "true" (serve every listener with --all-listeners)`,
              ),
            );
            continue;
          }
          let text = texts.get(obj);
          if (text === undefined) {
            text = toConfigText(obj);
            texts.set(obj, text);
          }
          // Each object on its own first: its document errors must not stop the others.
          const own: DecodedConfig = { ...out, objects: [], issues: [] };
          decodeConfigText(text, file, registry, own);
          if (own.issues.some((i) => i.severity === "error" && i.class === "document")) {
            invalid++;
            const previous = lastGood.get(file);
            const outcome =
              previous === undefined
                ? "this object is left out; the rest is served"
                : "this change is not applied; the object's last good version stays in force";
            out.issues.push(
              ...own.issues.map((i) =>
                i.severity === "error" && i.class === "document"
                  ? warning(i.loc, `${i.message} (${outcome})`)
                  : i,
              ),
            );
            if (previous !== undefined) out.objects.push(...previous);
            continue;
          }
          lastGood.set(file, own.objects);
          out.objects.push(...own.objects);
          out.issues.push(...own.issues);
        }
      }
    },
    onChange: (fn) => void listeners.push(fn),
    secrets: createClusterSecrets(http, options.secretCacheMs ?? SECRET_CACHE_MS),
    close,
  };
}

/**
 * The configuration of a directory, the cluster or both (the cluster's objects replacing the
 * directory's on a clash), compiled.
 */
export async function loadConfigSources(sources: {
  dir: string | undefined;
  cluster: ClusterConfigSource | undefined;
  registry: InterceptorRegistry;
}): Promise<CompiledConfig> {
  const { dir, cluster, registry } = sources;
  const decoded: DecodedConfig =
    dir === undefined
      ? {
          objects: [],
          compiled: new WeakMap(),
          builtinNames: new Set(registry.names()),
          issues: [],
        }
      : await decodeConfigDir(dir, { registry });
  if (cluster !== undefined) {
    cluster.decodeInto(decoded, registry);
    markDuplicates(decoded);
  }
  return compileConfig(decoded);
}

function served(obj: KubeObject): boolean {
  return obj.metadata?.annotations?.[SERVE_ANNOTATION] === "true";
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped kind: the "file" in messages. */
function name(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const n = obj.metadata?.name ?? "";
  return `${obj.kind ?? ""} ${ns === undefined || ns === "" ? n : `${ns}/${n}`}`;
}

/** Metadata a user writes; the rest (managedFields, resourceVersion, …) is the server's. */
const USER_META = ["name", "namespace", "generateName", "uid", "labels", "annotations"];
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The object as the decoder takes it: no `status`, no server-set metadata, as indented JSON. */
export function toConfigText(obj: KubeObject): string {
  const { status: _status, metadata, ...rest } = obj;
  const meta: Record<string, unknown> = {};
  for (const key of USER_META) {
    const value = metadata?.[key];
    if (value !== undefined && value !== null) meta[key] = value;
  }
  if (metadata?.annotations?.[LAST_APPLIED] !== undefined) {
    const { [LAST_APPLIED]: _applied, ...annotations } = metadata.annotations;
    meta["annotations"] = annotations;
  }
  return `${JSON.stringify({ apiVersion: rest.apiVersion, kind: rest.kind, metadata: meta, ...rest }, null, 2)}\n`;
}
