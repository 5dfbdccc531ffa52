import type { AgentOptions, RequestOptions } from "node:https";
import type { TlsConfig } from "./types.js";

/**
 * The TLS part of node:https options (as `@kubernetes/client-node` fills them in from a
 * kubeconfig and its exec plug-ins) as the HTTP layer's TlsConfig.
 */
export function tlsFromNodeOptions(o: AgentOptions | RequestOptions): TlsConfig {
  const pem = (v: unknown): string | Buffer | undefined =>
    typeof v === "string" || Buffer.isBuffer(v) ? v : undefined;
  return {
    ca: pem(o.ca),
    cert: pem(o.cert),
    key: pem(o.key),
    pfx: Buffer.isBuffer(o.pfx) ? o.pfx : undefined,
    passphrase: o.passphrase,
    rejectUnauthorized: o.rejectUnauthorized,
    servername: o.servername,
  };
}
