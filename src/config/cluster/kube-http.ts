import type { IncomingMessage } from "node:http";
import { request, type RequestOptions } from "node:https";
import { request as httpRequest } from "node:http";
import { createInterface } from "node:readline";
import type { KubeConfig } from "@kubernetes/client-node";

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

export interface WatchLine {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

/**
 * GETs and watches against the kubeconfig's current cluster, with its credentials (CA, client
 * certificate, bearer token, exec plug-ins: `applyToHTTPSOptions`). Plain node:https: a watch is
 * a long-lived stream of JSON lines, which the generated client does not expose with a timeout.
 */
export class KubeHttp {
  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number,
  ) {}

  private async options(path: string): Promise<{ url: URL; options: RequestOptions }> {
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null) throw new Error("the kubeconfig has no current cluster");
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    const options: RequestOptions = { method: "GET", headers: { Accept: "application/json" } };
    await this.kc.applyToHTTPSOptions(options);
    return { url, options };
  }

  /** GET `path` → the parsed JSON body; a non-2xx answer throws a KubeApiError. */
  async get<T>(path: string): Promise<T> {
    const { url, options } = await this.options(path);
    const res = await this.send(url, options, this.timeoutMs);
    const text = await readAll(res);
    if ((res.statusCode ?? 0) >= 300) throw apiError(path, res.statusCode ?? 0, text);
    return JSON.parse(text) as T;
  }

  /**
   * Opens a watch (`path` with `watch=true` in its query) and calls `onLine` per event until the
   * stream ends. Resolves when it ends (the server's timeout, a closed connection) and rejects
   * on a non-2xx answer or a network error. `abort` ends it early.
   */
  async watch(
    path: string,
    onLine: (line: WatchLine) => void,
    signal: AbortSignal,
    idleMs: number,
  ): Promise<void> {
    const { url, options } = await this.options(path);
    const res = await this.send(url, { ...options, signal }, this.timeoutMs, true);
    if ((res.statusCode ?? 0) >= 300) {
      throw apiError(path, res.statusCode ?? 0, await readAll(res));
    }
    await new Promise<void>((resolve, reject) => {
      // No event and no bookmark for this long: the connection is dead (a NAT dropped it).
      let idle = setTimeout(() => res.destroy(new Error("watch idle")), idleMs).unref();
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      lines.on("line", (text) => {
        clearTimeout(idle);
        idle = setTimeout(() => res.destroy(new Error("watch idle")), idleMs).unref();
        if (text.trim() === "") return;
        try {
          onLine(JSON.parse(text) as WatchLine);
        } catch (err) {
          res.destroy(err as Error);
        }
      });
      const fail = (err: Error): void => {
        clearTimeout(idle);
        reject(err);
      };
      res.on("error", fail);
      // readline passes its input's errors on: without a listener they would be uncaught.
      lines.on("error", fail);
      lines.on("close", () => {
        clearTimeout(idle);
        resolve();
      });
    });
  }

  /** `background`: the connection does not keep the process alive (a watch, which never ends). */
  private send(
    url: URL,
    options: RequestOptions,
    timeoutMs: number,
    background = false,
  ): Promise<IncomingMessage> {
    const send = url.protocol === "http:" ? httpRequest : request;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, options);
      if (background) req.on("socket", (socket) => socket.unref());
      const timer = setTimeout(
        () => req.destroy(new Error(`GET ${url.pathname}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.on("response", (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.end();
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("error", reject);
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
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
