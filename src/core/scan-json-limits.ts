import { HooklineError } from "../errors/hookline-error.js";

/** How deep and how big a JSON body hookline parses (documented in openapi.yaml and the README). */
export interface JsonLimits {
  /** Objects and arrays nested in one another, the outermost counting 1. */
  maxDepth: number;
  /** Object keys plus array items, at every depth. */
  maxItems: number;
}

/**
 * A webhook is far from both: GitHub's largest pushes (2,048 commits with their file lists) stay
 * under a tenth of the items; nothing a provider sends nests past ~10 levels.
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 128, maxItems: 100_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * Refuses (HL_INTAKE_TOO_COMPLEX, 413) a JSON text nested deeper than `limits.maxDepth` or with
 * more than `limits.maxItems` keys and array items, before JSON.parse spends its time and memory
 * on it (issue 11 item 2: 10^6 keys cost a second of the one event loop). One pass over the bytes,
 * no allocation: strings are skipped with the native `indexOf`. It checks the structure only; a
 * text that is not JSON is left to JSON.parse to refuse. Bytes of a multi-byte UTF-8 character
 * are all ≥ 0x80, so none is taken for a quote or a bracket.
 */
export function scanJsonLimits(raw: Uint8Array, limits: JsonLimits = DEFAULT_JSON_LIMITS): void {
  const { maxDepth, maxItems } = limits;
  const n = raw.length;
  // Every item takes a byte at least, and every level an opening bracket: a body no longer than
  // maxItems with few brackets (in strings or not) is within both, found with a few native indexOf
  // calls instead of a pass in JavaScript (a push is such a body). The count stops at 64, so a body
  // with more loses little before the pass.
  if (n <= maxItems && countAtMost(raw, OPEN_OBJECT, OPEN_ARRAY, Math.min(maxDepth, 64))) return;
  // Whether each open container is an array (1) or an object (0), by depth.
  const isArray = new Uint8Array(maxDepth + 2);
  let depth = 0;
  let items = 0;
  // The common bytes first (string quotes), and nothing per byte beyond the comparisons: this
  // runs before every parse of a body, small ones included.
  for (let i = 0; i < n; i++) {
    const c = raw[i];
    if (c === QUOTE) {
      i = endOfString(raw, i);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) throw tooComplex(`nested deeper than ${maxDepth} levels`, limits);
      if (c === OPEN_ARRAY) {
        isArray[depth] = 1;
        // A non-empty array's first item (the others follow a comma).
        let j = i + 1;
        while (j < n && isWhitespace(raw[j])) j++;
        if (j < n && raw[j] !== CLOSE_ARRAY && ++items > maxItems) throw tooManyItems(limits);
      } else isArray[depth] = 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    } else if (c === COLON) {
      if (++items > maxItems) throw tooManyItems(limits);
    } else if (c === COMMA) {
      if (isArray[depth] === 1 && ++items > maxItems) throw tooManyItems(limits);
    }
  }
}

/** Whether bytes `a` and `b` occur at most `limit` times in all in `raw`. */
function countAtMost(raw: Uint8Array, a: number, b: number, limit: number): boolean {
  let count = 0;
  for (const byte of [a, b]) {
    for (let at = raw.indexOf(byte); at !== -1; at = raw.indexOf(byte, at + 1))
      if (++count > limit) return false;
  }
  return true;
}

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index of the quote that ends the string whose opening quote is at `open` (or the end). */
function endOfString(raw: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = raw.indexOf(QUOTE, at + 1);
    if (at === -1) return raw.length; // unterminated: JSON.parse will say so
    // Escaped when an odd number of backslashes comes right before it.
    let backslashes = 0;
    for (let j = at - 1; j > open && raw[j] === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

function tooManyItems(limits: JsonLimits): HooklineError {
  return tooComplex(`more than ${limits.maxItems} object keys and array items`, limits);
}

function tooComplex(what: string, limits: JsonLimits): HooklineError {
  return new HooklineError(
    "HL_INTAKE_TOO_COMPLEX",
    `request body is too complex to parse: ${what}`,
    { maxDepth: limits.maxDepth, maxItems: limits.maxItems },
  );
}
