import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares two secrets in constant time, whatever their lengths (both are hashed first, so the
 * comparison itself never leaks the length).
 * @example if (!safeEqual(token, secret)) return reject("INVALID_ARGUMENT", "Invalid X-GitLab-Token");
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash("sha256").update(a).digest();
  const db = createHash("sha256").update(b).digest();
  return timingSafeEqual(da, db);
}
