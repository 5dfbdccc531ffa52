import type { AdminAddress } from "./types.js";

export const DEFAULT_ADMIN_ADDR = "127.0.0.1:9090";

/** `host:port`, `:port` or `port`; IPv6 hosts in brackets. */
export function parseAdminAddr(text: string): AdminAddress {
  // One pattern per form: an optional host made the old single pattern split "33294" into
  // host "3329", port 4 (issue 11, item 10).
  const value = text.trim();
  const m =
    /^:?(?<port>\d+)$/.exec(value) ??
    /^\[(?<host>[^\]]+)\]:(?<port>\d+)$/.exec(value) ??
    /^(?<host>[^:[\]]+):(?<port>\d+)$/.exec(value);
  const port = Number(m?.groups?.["port"]);
  if (m === null || !Number.isInteger(port) || port > 65535)
    throw new Error(
      `invalid admin address "${text}": use port, host:port or [v6]:port, e.g. 127.0.0.1:9090`,
    );
  return { host: m.groups?.["host"] ?? "127.0.0.1", port };
}
