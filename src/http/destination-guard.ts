import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

/** The system error code of a refused destination (the lookup's error, read back by `request`). */
export const DESTINATION_REFUSED = "ERR_HOOKLINE_DESTINATION_REFUSED";

/**
 * Where hookline's HTTP actions (`hookline.dev/v1alpha1` `HTTPRequest`) may go. A destination is
 * refused when:
 * - an allow-list is set (`HOOKLINE_HTTP_ALLOW`) and the URL's host (or host:port) is not on it;
 * - the host is not on the allow-list and it is, or resolves to, a loopback, link-local
 *   (169.254/16, fe80::/10, the cloud metadata addresses among them), unspecified or other
 *   metadata address — checked on every address the name resolves to, at connection time (the
 *   connection pool's `lookup`), so a name that resolves to a public address when checked and to
 *   127.0.0.1 when connected (DNS rebinding) is refused too.
 * Private addresses (10/8, 172.16/12, 192.168/16, fc00::/7) are not refused: an in-cluster Jenkins
 * is on one. The allow-list narrows those too.
 */
export interface DestinationGuard {
  /** Its own connection pool (`dispatcherFor`): one per guard, as its lookup is its own. */
  readonly key: string;
  /** Why the URL may not be called (before any connection), or undefined. */
  refusal(url: URL): string | undefined;
  /** `lookup` for net/tls.connect: resolves, then refuses a forbidden address. */
  readonly lookup: GuardedLookup;
}

export type GuardedLookup = (
  hostname: string,
  options: { family?: number | string | undefined; all?: boolean | undefined },
  callback: (
    err: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
) => void;

export interface DestinationGuardOptions {
  /** HOOKLINE_HTTP_ALLOW: `host`, `host:port`, `[v6]:port`, `*.domain`; undefined: no list. */
  allow?: readonly string[] | undefined;
  /** For tests: the resolver behind the check (default dns.lookup). */
  resolve?: (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;
}

interface AllowRule {
  host: string;
  /** Undefined: any port. */
  port: number | undefined;
}

const REFUSED = new BlockList();
// Loopback, "this network", link-local (the 169.254.169.254 metadata service among them).
REFUSED.addSubnet("127.0.0.0", 8, "ipv4");
REFUSED.addSubnet("0.0.0.0", 8, "ipv4");
REFUSED.addSubnet("169.254.0.0", 16, "ipv4");
// Alibaba Cloud's metadata service is outside link-local.
REFUSED.addAddress("100.100.100.200", "ipv4");
REFUSED.addAddress("::1", "ipv6");
REFUSED.addAddress("::", "ipv6");
REFUSED.addSubnet("fe80::", 10, "ipv6");
// AWS's IPv6 metadata endpoint.
REFUSED.addAddress("fd00:ec2::254", "ipv6");

let guards = 0;

/** @example createDestinationGuard({ allow: ["jenkins.ci.svc", "127.0.0.1:8089"] }) */
export function createDestinationGuard(options: DestinationGuardOptions = {}): DestinationGuard {
  const rules = options.allow?.map(parseAllowRule);
  const resolve = options.resolve ?? resolveAll;
  // Only a host listed by name (not by a `*.` pattern) may resolve to a refused address.
  const listedExactly = (host: string): boolean =>
    rules?.some((r) => !r.host.startsWith("*.") && hostMatches(r.host, host)) ?? false;
  return {
    key: `guard:${++guards}`,
    refusal(url) {
      if (url.protocol !== "http:" && url.protocol !== "https:")
        return `${url.protocol} URLs are not called: use http or https`;
      const host = bareHost(url.hostname);
      if (rules !== undefined) {
        const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
        if (
          !rules.some((r) => hostMatches(r.host, host) && (r.port === undefined || r.port === port))
        )
          return `${host}:${port} is not in HOOKLINE_HTTP_ALLOW`;
        if (isIP(host) !== 0 && !listedExactly(host)) return refusedAddress(host);
        return undefined;
      }
      // An address literal is never looked up: it is checked here.
      return isIP(host) === 0 ? undefined : refusedAddress(host);
    },
    lookup(hostname, lookupOptions, callback) {
      const host = bareHost(hostname);
      const family = Number(lookupOptions.family ?? 0);
      resolve(host, { all: true, family: family === 4 || family === 6 ? family : 0 }).then(
        (addresses) => {
          const bad = listedExactly(host)
            ? undefined
            : addresses.map((a) => refusedAddress(a.address)).find((r) => r !== undefined);
          if (bad !== undefined) {
            callback(
              refusedError(`${host} resolves to ${bad}`),
              lookupOptions.all === true ? [] : "",
            );
            return;
          }
          if (lookupOptions.all === true) callback(null, addresses);
          else {
            const first = addresses[0];
            if (first === undefined) callback(notFound(host), "");
            else callback(null, first.address, first.family);
          }
        },
        (err: NodeJS.ErrnoException) => callback(err, lookupOptions.all === true ? [] : ""),
      );
    },
  };
}

/** `loopback address 127.0.0.1`, or undefined for an address that may be called. */
export function refusedAddress(address: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const type = isIP(ip) === 4 ? "ipv4" : isIP(ip) === 6 ? "ipv6" : undefined;
  if (type === undefined || !REFUSED.check(ip, type)) return undefined;
  const what =
    ip.startsWith("127.") || ip === "::1"
      ? "a loopback address"
      : ip.startsWith("169.254.") || /^fe[89ab]/i.test(ip)
        ? "a link-local address"
        : ip.startsWith("0.") || ip === "::"
          ? "an unspecified address"
          : "a cloud metadata address";
  return `${what} (${address}): refused unless its host is in HOOKLINE_HTTP_ALLOW`;
}

function parseAllowRule(entry: string): AllowRule {
  const text = entry.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6 !== null)
    return { host: v6[1] ?? "", port: v6[2] === undefined ? undefined : Number(v6[2]) };
  const m = /^([^:]+):(\d+)$/.exec(text);
  if (m !== null) return { host: m[1] ?? "", port: Number(m[2]) };
  return { host: text, port: undefined };
}

function hostMatches(rule: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (rule.startsWith("*.")) return h.endsWith(rule.slice(1));
  return rule === h;
}

/** `[::1]` → `::1`: URL.hostname keeps the brackets of an IPv6 literal. */
function bareHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function resolveAll(hostname: string, options: LookupAllOptions): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, options, (err, addresses) =>
      err === null ? resolve(addresses) : reject(err),
    ),
  );
}

function refusedError(message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: DESTINATION_REFUSED });
}

function notFound(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
}
