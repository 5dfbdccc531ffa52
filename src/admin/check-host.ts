import { isIP } from "node:net";
import type { NextFunction, Request, Response } from "express";
import { sendAdminError } from "./send-admin-error.js";

export interface HostRules {
  /**
   * HOOKLINE_ADMIN_HOSTS: names the admin port may be addressed by (lower case, no port), beside
   * `localhost` and IP literals. An entry starting with "." also allows every name under it.
   */
  allowedHosts: readonly string[];
  /**
   * Whether the port asks for a bearer token. Then any IP literal is accepted: behind a Service,
   * NAT or a port-forward the Host carries an address the process does not own, and an IP literal
   * cannot be rebound.
   */
  tokenRequired: boolean;
}

/** `Host` → its host name (lower case, no brackets, no trailing dot), or undefined if malformed. */
export function parseHostHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s]+))(?::\d{1,5})?$/i.exec(value.trim());
  if (m === null) return undefined;
  const name = (m[1] ?? m[2] ?? "").toLowerCase();
  if (m[1] !== undefined && isIP(name) !== 6) return undefined;
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.5`, a dual-stack socket's view) as plain IPv4. */
function plainIp(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (m?.[1] ?? address).toLowerCase();
}

function isLoopbackIp(ip: string): boolean {
  const plain = plainIp(ip);
  return isIP(plain) === 4 ? plain.startsWith("127.") : plain === "::1";
}

/**
 * Whether a request's Host may be answered. DNS rebinding points an attacker's *name* at this
 * port, so the browser sends that name: names are accepted only when configured (or `localhost`,
 * which browsers resolve themselves). The port is not compared — port-forwards and container port
 * maps change it, and rebinding gains nothing from it.
 */
export function isAllowedHost(
  host: string,
  localAddress: string | undefined,
  rules: HostRules,
): boolean {
  if (host === "localhost") return true;
  if (isIP(host) !== 0) {
    if (isLoopbackIp(host) || rules.tokenRequired) return true;
    return localAddress !== undefined && plainIp(localAddress) === plainIp(host);
  }
  return rules.allowedHosts.some((allowed) =>
    allowed.startsWith(".")
      ? host === allowed.slice(1) || host.endsWith(allowed)
      : host === allowed,
  );
}

/** HOOKLINE_ADMIN_HOSTS (comma- or space-separated) → the names `isAllowedHost` accepts. */
export function parseAllowedHosts(text: string | undefined): string[] {
  return (text ?? "")
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase().replace(/\.$/, ""))
    .filter((h) => h !== "");
}

/** Refuses (421) every request whose Host is not this port's: /metrics included. */
export function checkHost(rules: HostRules) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = parseHostHeader(req.headers.host);
    if (host !== undefined && isAllowedHost(host, req.socket.localAddress, rules)) return next();
    sendAdminError(
      res,
      "HL_ADMIN_HOST_NOT_ALLOWED",
      "the Host header does not name this admin port: use its address, localhost, or a name listed in HOOKLINE_ADMIN_HOSTS",
    );
  };
}
