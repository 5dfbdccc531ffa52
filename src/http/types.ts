import type { SpanParent } from "../core/span-parent.js";

/**
 * What an outgoing HTTP call may trust beyond the system's CAs, and who it says it is: a
 * remote interceptor's caBundle, a kubeconfig's CA and client certificate. Equal options share
 * one connection pool (`dispatcherFor`).
 */
export interface TlsConfig {
  /** PEM CA certificates trusted instead of the system's. */
  ca?: string | Buffer | undefined;
  /** Client certificate and key (PEM), for mutual TLS. */
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
  pfx?: Buffer | undefined;
  passphrase?: string | undefined;
  /** false only when a kubeconfig says `insecure-skip-tls-verify`. */
  rejectUnauthorized?: boolean | undefined;
  /** The name checked against the certificate, when it is not the URL's host. */
  servername?: string | undefined;
}

import type { DestinationGuard } from "./destination-guard.js";

/** One outgoing call, made and read in full by `request`. */
export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
  url: string;
  /** Header values; hop-by-hop headers (Connection, Host, …) are dropped, the connection's own. */
  headers?: Readonly<Record<string, string | readonly string[]>> | undefined;
  body?: Buffer | string | undefined;
  /** The longest wait for the whole exchange, answer body included. */
  timeoutMs: number;
  /** The caller's own deadline (a decision deadline, a shutdown); cuts the call shorter. */
  signal?: AbortSignal | undefined;
  /** What the caller's signal means, for the message: default "the caller gave up". */
  abortReason?: string | undefined;
  /**
   * An answer body over this many bytes is not read, and the call fails; `"discard"`: the body
   * is not wanted (the status is the answer), and is dropped unread (`body` is empty);
   * `{ first: n }`: only the first n bytes are kept, the rest dropped (`truncated` says so).
   */
  maxBytes: number | "discard" | { readonly first: number };
  tls?: TlsConfig | undefined;
  /** An http(s) proxy URL (a kubeconfig's `proxy-url`). */
  proxy?: string | undefined;
  /**
   * Where the call may go (HTTP actions: SSRF rules and HOOKLINE_HTTP_ALLOW), checked on the URL
   * and on every address its host resolves to when a connection is opened. Not with `proxy`.
   */
  guard?: DestinationGuard | undefined;
  /**
   * The span the call is made under: the call gets a client span of its own, and its
   * `traceparent` header; undefined: tracing is off.
   */
  trace?: SpanParent | undefined;
}

/** A status line, headers and body, read in full. Any status is an answer, not an error. */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** Lower-case names, as the wire gives them; `set-cookie` keeps each value. */
  header: Record<string, string[]>;
  body: Buffer;
  /** With `maxBytes: { first }`: the body was longer, and only its first bytes are here. */
  truncated?: boolean;
}

/**
 * Why a call got no usable answer:
 * - `not-sent`: the caller's signal had fired before it started;
 * - `aborted`: the caller's signal fired while it ran;
 * - `timeout`: no whole answer within `timeoutMs`;
 * - `too-large`: the answer body was over `maxBytes`;
 * - `network`: refused, reset, DNS, TLS and the like;
 * - `refused`: the call's guard refused the destination (not sent).
 */
export type HttpFailureKind =
  "not-sent" | "aborted" | "timeout" | "too-large" | "network" | "refused";
