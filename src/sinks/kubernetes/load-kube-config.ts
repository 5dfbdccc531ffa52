import { KubeConfig } from "@kubernetes/client-node";

/**
 * The Kubernetes connection, found as kubectl finds it: the files `KUBECONFIG` lists, else
 * `~/.kube/config`, else the pod's service account (in a cluster). Only files are read here;
 * nothing connects, so an unreachable API server does not stop hookline from starting.
 * Throws when there is no configuration at all (the client would otherwise fall back to
 * `http://localhost:8080`, which is never what is meant).
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (err) {
    const where = process.env["KUBECONFIG"] ?? "~/.kube/config";
    throw new Error(
      `could not read the Kubernetes configuration (${where}): ${(err as Error).message}`,
      { cause: err },
    );
  }
  const cluster = kc.getCurrentCluster();
  if (
    cluster === null ||
    kc.getCurrentUser() === null ||
    (cluster.name === "cluster" && cluster.server === "http://localhost:8080")
  ) {
    throw new Error(
      "no Kubernetes configuration found for --sink kubernetes: set KUBECONFIG, create ~/.kube/config, or run in a cluster with a service account",
    );
  }
  return kc;
}
