/** What every redacted value is replaced by, in the journal, the answers, the pages and the logs. */
export const REDACTED = "[redacted]";

/**
 * Values shorter than this are not redacted by value: replacing every "abc" or "1" in a log line
 * or a header would mangle everything and hide nothing worth hiding. Such a secret is still
 * redacted where its header's name or the query rule redacts it.
 */
export const MIN_REDACTED_LENGTH = 4;
/** Longer values (certificates, kubeconfigs) are not tokens anyone sends in a request: skipped. */
export const MAX_REDACTED_LENGTH = 4096;
/** At most this many distinct values are kept; the least recently handed out go first. */
export const MAX_SECRET_VALUES = 512;

/**
 * The secret values hookline knows — every value its secret resolver handed out, and the config's
 * own Secret objects — so that they can be replaced by `[redacted]` wherever they would be stored
 * or shown, whatever header or query parameter carried them. Bounded: at most MAX_SECRET_VALUES
 * forms, least recently learned dropped first.
 */
export interface SecretValues {
  /** Remembers a value (bytes as UTF-8); too short, too long or not text: ignored. */
  learn(value: Buffer | string): void;
  /** `text` with every known value replaced by `[redacted]`. */
  redact(text: string): string;
  /** Whether `text` holds a known value. */
  holdsSecret(text: string): boolean;
  /**
   * Whether a text JSON.stringify made may hold a known value in one of its strings. `false` is
   * sure: no value occurs in the text, and none has a character JSON writes escaped (a quote, a
   * backslash, a control character, a lone surrogate), so none can be in its strings either.
   */
  mayHoldInJSON(json: string): boolean;
  /** How many forms are known (a value, its trimmed and its URL-encoded form count apart). */
  readonly size: number;
  /**
   * Moves on whenever the known values change (one learned, one dropped): a redaction memoized
   * under one version holds while the version is the same (src/listener/to-stored-event.ts).
   */
  readonly version: number;
}

/** @example const values = createSecretValues(); values.learn(token); values.redact(line) */
export function createSecretValues(max = MAX_SECRET_VALUES): SecretValues {
  const known = new Map<string, true>();
  // One alternation, longest first (a value containing another is replaced whole): a single scan
  // of each text whatever the number of values. Rebuilt when the contents change, not on refresh.
  let pattern: RegExp | undefined;
  /** Whether every known value is written by JSON.stringify as it is (set with `pattern`). */
  let jsonSafe = true;
  let version = 0;
  const remember = (form: string): void => {
    if (form.length < MIN_REDACTED_LENGTH || form.length > MAX_REDACTED_LENGTH) return;
    if (REDACTED.includes(form)) return; // Would redact the marker itself.
    if (known.delete(form)) {
      known.set(form, true); // Refreshed: the order changes, the contents do not.
      return;
    }
    known.set(form, true);
    pattern = undefined;
    version += 1;
    while (known.size > max) {
      const oldest = known.keys().next();
      if (oldest.done === true) break;
      known.delete(oldest.value);
    }
  };
  const matcher = (): RegExp => {
    if (pattern === undefined) {
      const forms = [...known.keys()];
      jsonSafe = forms.every((f) => JSON.stringify(f) === `"${f}"`);
      pattern = new RegExp(
        forms
          .sort((a, b) => b.length - a.length)
          .map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join("|"),
        "g",
      );
    }
    return pattern;
  };
  return {
    learn(value) {
      const text = typeof value === "string" ? value : textOf(value);
      if (text === undefined) return;
      // A file written with `echo` ends with a newline the sender's token does not have.
      const trimmed = text.trim();
      for (const form of new Set([text, trimmed, encodeURIComponent(trimmed)])) remember(form);
    },
    redact(text) {
      if (known.size === 0 || text.length < MIN_REDACTED_LENGTH) return text;
      const re = matcher();
      re.lastIndex = 0;
      return re.test(text) ? text.replace(re, REDACTED) : text;
    },
    holdsSecret(text) {
      if (known.size === 0 || text.length < MIN_REDACTED_LENGTH) return false;
      const re = matcher();
      re.lastIndex = 0;
      return re.test(text);
    },
    mayHoldInJSON(json) {
      if (known.size === 0 || json.length < MIN_REDACTED_LENGTH) return false;
      const re = matcher();
      if (!jsonSafe) return true;
      re.lastIndex = 0;
      return re.test(json);
    },
    get size() {
      return known.size;
    },
    get version() {
      return version;
    },
  };
}

/**
 * A copy of a JSON-like value (objects, arrays, strings, numbers) with every known secret value
 * in its strings — keys included — redacted. Other objects (dates, buffers) are kept as they are.
 * The value itself is returned when nothing in it holds a secret.
 */
export function redactDeep<T>(value: T, values: SecretValues): T {
  if (values.size === 0 || !mayHoldSecret(value, values)) return value;
  // Each distinct string is looked at once per call: a thousand not-applicable entries repeat
  // their keys, the event's value and the subject, and would otherwise be matched each time.
  const seen = new Map<string, string>();
  const redact = (text: string): string => {
    let r = seen.get(text);
    if (r === undefined) seen.set(text, (r = values.redact(text)));
    return r;
  };
  return walk(value, redact, 0) as T;
}

const MAX_DEPTH = 64;

/**
 * Whether the walk could find a known value anywhere in `value`: one JSON.stringify and one scan
 * of its text (native, about a tenth of the walk's time on a fired trigger's trace) settle the
 * usual case, an event that quotes no secret. The text holds every string and key the walk looks
 * at, and more (a Date's text, a buffer's bytes, a level past MAX_DEPTH): a value found there that
 * the walk would not replace only costs the walk. A value JSON.stringify refuses (a cycle, a
 * BigInt) is walked. Plain data only: a plain object's own `toJSON` function would hide its
 * fields from the text (no trace, record or log field has one).
 */
function mayHoldSecret(value: unknown, values: SecretValues): boolean {
  if (typeof value === "string") return values.holdsSecret(value);
  if (typeof value !== "object" || value === null) return false;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return true; // Not JSON text (a cycle, a BigInt): the walk decides.
  }
  return json === undefined || values.mayHoldInJSON(json);
}

function walk(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (depth > MAX_DEPTH || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined; // Made at the first change only: most values hold no secret.
    value.forEach((v: unknown, i) => {
      const r = walk(v, redact, depth + 1);
      if (r !== v) out ??= value.slice(0, i);
      out?.push(r);
    });
    return out ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const entries = Object.entries(value);
  let out: Record<string, unknown> | undefined;
  entries.forEach(([k, v], i) => {
    const key = redact(k);
    const r = walk(v, redact, depth + 1);
    if (out === undefined && (key !== k || r !== v)) {
      out = {};
      for (const [pk, pv] of entries.slice(0, i)) define(out, pk, pv);
    }
    if (out !== undefined) define(out, key, r);
  });
  return out ?? value;
}

/** defineProperty: a key such as "__proto__" stays an own key, as it was. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function textOf(value: Buffer): string | undefined {
  const text = value.toString("utf8");
  // Binary (a key file): not something a sender types into a header.
  return Buffer.from(text, "utf8").equals(value) ? text : undefined;
}
