import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface CsrfTokens {
  /** A token for one form action (e.g. `replay:<event id>`), to put in the page's form. */
  issue(action: string): string;
  /** Whether `token` was issued by this process for `action` and is not older than the limit. */
  verify(action: string, token: unknown): boolean;
}

/** How long a page's form stays usable: a page left open over a working day still replays. */
export const CSRF_TOKEN_TTL_MS = 12 * 3600_000;

/**
 * Session-less CSRF tokens: `<issued-at>.<HMAC(secret, action, issued-at)>` under a random
 * per-process secret. There is no login to bind a token to, and a double-submit cookie would not
 * hold: cookies are not separated by port, so any page served on another port of the same host
 * can read or overwrite them. A token here can only be had by reading the admin page, which the
 * same-origin policy and the Host check keep from other sites. A restart invalidates open pages.
 */
export function createCsrfTokens(
  options: { secret?: Buffer; now?: () => number } = {},
): CsrfTokens {
  const secret = options.secret ?? randomBytes(32);
  const now = options.now ?? Date.now;
  const mac = (action: string, issuedAt: string): Buffer =>
    createHmac("sha256", secret).update(`hookline-csrf\n${action}\n${issuedAt}`).digest();
  return {
    issue(action) {
      const issuedAt = String(now());
      return `${issuedAt}.${mac(action, issuedAt).toString("base64url")}`;
    },
    verify(action, token) {
      if (typeof token !== "string") return false;
      const m = /^(\d{1,16})\.([\w-]{43})$/.exec(token);
      if (m?.[1] === undefined || m[2] === undefined) return false;
      const age = now() - Number(m[1]);
      // A minute of slack for a clock stepped back between issue and use.
      if (age > CSRF_TOKEN_TTL_MS || age < -60_000) return false;
      const given = Buffer.from(m[2], "base64url");
      const expected = mac(action, m[1]);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
