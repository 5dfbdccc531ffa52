import type { ClientConfig } from "../../config/types.js";
import type { RemoteTarget } from "./types.js";

/** A problem with a clientConfig, and the field under `spec.clientConfig` it is about. */
export interface TargetProblem {
  field: string;
  message: string;
}

/**
 * Tekton's ResolveAddress (TEKTON-SPEC §1.5): `clientConfig.url`, else
 * `<scheme>://<service>.<namespace>.svc:<port><path>`, https and port 8443 when a caBundle is set,
 * http and port 80 otherwise. The caBundle (base64 PEM, as Kubernetes writes `[]byte`; plain PEM is
 * taken too) becomes the only CA trusted for this service.
 */
export function resolveInterceptorTarget(
  clientConfig: ClientConfig,
  timeoutMs: number,
): RemoteTarget | TargetProblem {
  let ca: string | undefined;
  if (clientConfig.caBundle !== undefined && clientConfig.caBundle.trim() !== "") {
    ca = parseCaBundle(clientConfig.caBundle);
    if (ca === undefined)
      return {
        field: "spec.clientConfig.caBundle",
        message: "caBundle is not a PEM certificate (nor base64 of one)",
      };
  }
  let url: string;
  if (clientConfig.url !== undefined) {
    url = clientConfig.url;
  } else if (clientConfig.service !== undefined) {
    const svc = clientConfig.service;
    if (svc.name === "" || svc.namespace === "")
      return {
        field: "spec.clientConfig.service",
        message: "service needs a name and a namespace",
      };
    const scheme = ca === undefined ? "http" : "https";
    const port = svc.port ?? (ca === undefined ? 80 : 8443);
    const path = svc.path ?? "";
    url = `${scheme}://${svc.name}.${svc.namespace}.svc:${port}${path === "" || path.startsWith("/") ? path : `/${path}`}`;
  } else {
    return {
      field: "spec.clientConfig",
      message: "missing field(s): clientConfig needs url or service",
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { field: "spec.clientConfig.url", message: `invalid URL "${url}"` };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return {
      field: "spec.clientConfig.url",
      message: `invalid URL "${url}": the scheme must be http or https`,
    };
  const target: RemoteTarget = { url: parsed.href, timeoutMs };
  if (ca !== undefined && parsed.protocol === "https:") target.tls = { ca };
  return target;
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

function parseCaBundle(text: string): string | undefined {
  if (PEM.test(text)) return text;
  const decoded = Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
  return PEM.test(decoded) ? decoded : undefined;
}
