import { lazyPackage } from "../core/lazy-package.js";

/**
 * The composition root's modules that bring in a heavy package only some settings use, each
 * imported the first time it is asked for (docs/architecture.md, "What is loaded when"): the
 * Kubernetes client (~1 s and ~70 MB of RSS to load) for the Kubernetes sink, `--config
 * kubernetes` and Kubernetes Events; pg for a PostgreSQL store. A local sink on SQLite loads
 * none of them. A package that is not installed fails with HL_PACKAGE_MISSING naming it.
 */
const KUBE = "@kubernetes/client-node";

export const loadKubeConfigModule = lazyPackage(
  KUBE,
  "a kubeconfig (Kubernetes sink, --config kubernetes)",
  () => import("../sinks/kubernetes/load-kube-config.js"),
);
export const loadClusterConfigModule = lazyPackage(
  KUBE,
  "--config kubernetes",
  () => import("../config/cluster/cluster-config-source.js"),
);
export const loadKubernetesSinkModule = lazyPackage(
  KUBE,
  "the Kubernetes sink",
  () => import("../sinks/kubernetes/kubernetes-sink.js"),
);
export const loadKubeGroupRunStoreModule = lazyPackage(
  KUBE,
  "the Kubernetes sink's concurrency groups",
  () => import("../sinks/kubernetes/kube-group-run-store.js"),
);
export const loadKubeEventsModule = lazyPackage(
  KUBE,
  "Kubernetes Events",
  () => import("../kube-events/start-kube-events.js"),
);
export const loadPostgresGroupLockModule = lazyPackage(
  "pg",
  "a PostgreSQL journal's group locks",
  () => import("../concurrency/postgres-group-lock.js"),
);
