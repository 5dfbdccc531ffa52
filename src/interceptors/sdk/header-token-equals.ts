import { canonicalHeaderKey } from "../../core/canonical-header.js";
import { safeEqual } from "./safe-equal.js";

/**
 * The answers of an event's token comparisons, by the header's list of values (an event's own,
 * shared by every trigger: it goes with the event) and the secret's Buffer (an event reads each
 * secret once, so its triggers hand over the same one).
 */
const byValues = new WeakMap<readonly string[], WeakMap<Buffer, boolean>>();

/**
 * Whether the first value of header `name` equals `secret`, compared in constant time
 * (`safeEqual`); false when the header is absent. Each (header, secret) of an event is compared
 * once, however many triggers check it.
 * @example if (!secrets.values.some((s) => headerTokenEquals(req.header, "X-Gitlab-Token", s))) return reject(…);
 */
export function headerTokenEquals(
  header: Readonly<Record<string, readonly string[]>>,
  name: string,
  secret: Buffer,
): boolean {
  const key = canonicalHeaderKey(name);
  const values = Object.hasOwn(header, key) ? header[key] : undefined;
  const token = values?.[0];
  if (values === undefined || token === undefined) return false;
  let answers = byValues.get(values);
  if (answers === undefined) {
    answers = new WeakMap();
    byValues.set(values, answers);
  }
  let equal = answers.get(secret);
  if (equal === undefined) {
    equal = safeEqual(token, secret);
    answers.set(secret, equal);
  }
  return equal;
}
