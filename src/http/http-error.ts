import type { HttpFailureKind } from "./types.js";

/**
 * A call that got no usable answer, in words fit for a trace or a log line:
 * `POST https://owners.tools.svc:8443/: no answer within 7000 ms`. The message names the
 * method and the URL without its credentials or query, never a header or body value.
 */
export class HttpError extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    /** `POST https://host/path`: where, already stripped of userinfo and query. */
    readonly where: string,
    message: string,
    /** The system error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`), for a `network` failure. */
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "HttpError";
  }
}
