import { delimiter } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

/**
 * The Kubernetes connection, found as kubectl finds it: the files `KUBECONFIG` lists, else
 * `~/.kube/config`, else the pod's service account (in a cluster). Only files are read here;
 * nothing connects, so an unreachable API server does not stop hookline from starting.
 * Throws when there is no configuration at all (the client would otherwise fall back to
 * `http://localhost:8080`, which is never what is meant).
 *
 * `kubeconfig` is KUBECONFIG as hookline's settings read it (a path list, merged as kubectl
 * merges it). When it is undefined the client's own search runs (~/.kube/config, the service
 * account), which reads HOME and KUBERNETES_SERVICE_HOST itself.
 */
export function loadKubeConfig(kubeconfig?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    const files = (kubeconfig ?? "").split(delimiter).filter((f) => f !== "");
    if (files.length === 0) kc.loadFromDefault();
    else {
      // As the client's loadFromDefault reads KUBECONFIG: the first file, the others merged in.
      const [first = "", ...rest] = files;
      kc.loadFromFile(first);
      for (const file of rest) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kc.mergeConfig(more);
      }
    }
  } catch (err) {
    const where = kubeconfig === undefined || kubeconfig === "" ? "~/.kube/config" : kubeconfig;
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
