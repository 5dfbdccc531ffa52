/** The plain-words reason for each system error code a call meets most. */
const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused (is the service running?)",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "the connection timed out",
  EPIPE: "the connection was closed while sending",
  UND_ERR_SOCKET: "the connection was closed before the answer was complete",
  UND_ERR_CONNECT_TIMEOUT: "the connection could not be opened in time",
  UND_ERR_HEADERS_OVERFLOW: "the answer's headers are too large",
};

/**
 * What went wrong under a failed call, and its system code: `connection refused (is the
 * service running?) (ECONNREFUSED)`, `TLS: unable to verify the first certificate
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`. fetch wraps the real error as `cause` of a
 * `TypeError: fetch failed`, and a host with several addresses gives an AggregateError: the
 * innermost error with a code is the one that says why.
 */
export function describeNetworkError(err: unknown): { text: string; code: string | undefined } {
  const inner = innermost(err);
  const code = codeOf(inner);
  const message = inner instanceof Error ? inner.message : String(inner);
  if (code !== undefined && NETWORK_REASONS[code] !== undefined)
    return { text: `${NETWORK_REASONS[code]} (${code})`, code };
  if (code !== undefined && (/CERT|SSL|TLS|SELF_SIGNED|VERIFY/.test(code) || code === "EPROTO"))
    return { text: `TLS: ${message} (${code})`, code };
  return { text: code === undefined ? message : `${message} (${code})`, code };
}

function innermost(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    if (codeOf(current) !== undefined && !(current instanceof AggregateError)) return current;
    if (current instanceof AggregateError && current.errors.length > 0) {
      current = current.errors[current.errors.length - 1];
      continue;
    }
    const cause = (current as { cause?: unknown } | undefined)?.cause;
    if (cause === undefined) return current;
    current = cause;
  }
  return current;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}
