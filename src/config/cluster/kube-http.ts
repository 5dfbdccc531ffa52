import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { request } from "../../http/request.js";
import { tlsFromNodeOptions } from "../../http/tls-from-node-options.js";

/** An answer of the API server that is not 2xx, with its `kind: Status` reason when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly path: string,
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(`GET ${path}: ${code} ${reason}: ${message}`);
    this.name = "KubeApiError";
  }
}

/** A raw Kubernetes object as the API server sends it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** No list or Secret hookline reads is this large. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * GETs against the kubeconfig's current cluster through hookline's HTTP layer, with the
 * kubeconfig's credentials (CA, client certificate, bearer token, exec plug-ins:
 * `applyToHTTPSOptions`, asked per request so that a refreshed token is used).
 */
export class KubeHttp {
  constructor(
    readonly kc: KubeConfig,
    private readonly timeoutMs: number,
  ) {}

  /** GET `path` → the parsed JSON body; a non-2xx answer throws a KubeApiError. */
  async get<T>(path: string): Promise<T> {
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    const options: RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(options);
    const headers: Record<string, string> = { Accept: "application/json" };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === "string") headers[name] = value;
    }
    if (typeof options.auth === "string")
      headers["Authorization"] = `Basic ${Buffer.from(options.auth).toString("base64")}`;
    const answer = await request({
      method: "GET",
      url: cluster.server.replace(/\/+$/, "") + path,
      headers,
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
      tls: tlsFromNodeOptions(options),
      proxy: cluster.proxyUrl,
    });
    const text = answer.body.toString("utf8");
    if (answer.status < 200 || answer.status >= 300) throw apiError(path, answer.status, text);
    return JSON.parse(text) as T;
  }
}

function apiError(path: string, code: number, text: string): KubeApiError {
  let reason = "";
  let message = text.slice(0, 300);
  try {
    const status = JSON.parse(text) as { reason?: unknown; message?: unknown };
    if (typeof status.reason === "string") reason = status.reason;
    if (typeof status.message === "string") message = status.message;
  } catch {
    // Not a Status: keep the text's start.
  }
  return new KubeApiError(path, code, reason, message);
}
