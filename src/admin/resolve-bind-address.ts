import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

export interface BindAddress {
  /** The address to bind: the one that was checked, so that a name cannot resolve anew. */
  address: string;
  /** True when every address the host resolves to is a loopback address. */
  loopback: boolean;
  /** Every address the host resolved to (for the error that names them). */
  resolved: readonly string[];
}

export type LookupAll = (host: string) => Promise<readonly { address: string }[]>;

const lookupAll: LookupAll = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Decides "loopback" on what a host resolves to, never on its text: `127.attacker.test` may
 * resolve to 0.0.0.0 (every interface), `localhost` to ::1 and 127.0.0.1. The host is loopback
 * only when all of its addresses are; the first one is what gets bound.
 */
export async function resolveBindAddress(
  host: string,
  lookupHost: LookupAll = lookupAll,
): Promise<BindAddress> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const resolved = isIP(bare) === 0 ? (await lookupHost(bare)).map((a) => a.address) : [bare];
  const [address] = resolved;
  if (address === undefined) throw new Error(`the host "${host}" resolves to no address`);
  return { address, loopback: resolved.every(isLoopbackAddress), resolved };
}

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6 (::ffff:127.x.y.z). */
export function isLoopbackAddress(ip: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (v4 !== null) return isIP(ip.replace(/^::ffff:/i, "")) === 4 && v4[1] === "127";
  if (isIP(ip) !== 6) return false;
  return /^(?:0{0,4}:){2,7}0{0,3}1$/.test(ip) || ip === "::1";
}
