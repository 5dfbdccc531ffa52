import { RE2JS, RE2JSException } from "re2js";
import { chargeLength } from "./budget.js";
import { celLimits, limitString } from "./cel-limits.js";

/**
 * Regular expressions with RE2 semantics (re2js, a JavaScript port of RE2): Go's syntax
 * (`(?i)`, `(?P<name>…)`, `\pL`, `\d`…), matching in time linear in the input, and no
 * backreferences or lookarounds, which RE2 refuses as syntax errors. This is what cel-go uses for
 * `matches` and what Tekton's `translate` uses (Go's regexp package).
 */
export class RegexSyntaxError extends Error {
  readonly pattern: string;
  constructor(pattern: string, cause: unknown) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${describe(cause)}`, { cause });
    this.name = "RegexSyntaxError";
    this.pattern = pattern;
  }
}

/** Compiled patterns kept between calls: literals are compiled at load, others on first use. */
const cache = new Map<string, RE2JS>();

/**
 * Compiles `pattern` with RE2 syntax, or throws RegexSyntaxError (backreferences such as `\1` and
 * lookarounds such as `(?=` are syntax errors in RE2). Results are kept in a small LRU cache.
 * @example compileRE2("(?i)^refs/heads/(?P<branch>.+)$")
 */
export function compileRE2(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern); // re-insert: Map order is the LRU order
    cache.set(pattern, hit);
    return hit;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (error) {
    throw new RegexSyntaxError(pattern, error);
  }
  cache.set(pattern, re);
  if (cache.size > celLimits.regexCacheSize) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return re;
}

/**
 * cel-go's `string.matches(regex)`: true when the pattern matches anywhere in `input` (an unanchored
 * search, as Go's `MatchString`).
 * @example re2Matches("Refs/Heads/main", "(?i)^refs/heads/") // true
 */
export function re2Matches(input: string, pattern: string | RE2JS): boolean {
  const re = typeof pattern === "string" ? compileRE2(pattern) : pattern;
  chargeLength(input.length);
  return re.matcher(input).find();
}

/**
 * Tekton's `string.translate(regex, replacement)`: Go's `regexp.ReplaceAllString`. Matches are
 * successive and non-overlapping; an empty match right after a previous match is skipped, as in Go.
 * The replacement expands like Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}` and `$$`; an
 * unknown or unmatched group expands to "". A bad pattern is the error
 * `failed to parse regular expression for translation`, as in Tekton.
 * @example translate("refs/heads/main", "^refs/heads/(.*)$", "$1") // "main"
 */
export function translate(input: string, pattern: string, replacement: string): string {
  let re: RE2JS;
  try {
    re = compileRE2(pattern);
  } catch (cause) {
    throw new Error("failed to parse regular expression for translation", { cause });
  }
  chargeLength(input.length);
  const m = re.matcher(input);
  const out: string[] = [];
  let outLength = 0;
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= input.length && m.find(searchPos)) {
    const start = m.start();
    const end = m.end();
    const piece = input.slice(lastMatchEnd, start);
    out.push(piece);
    outLength += piece.length;
    if (end > lastMatchEnd || start === 0) {
      const expanded = expand(replacement, (name) => m.group(name) ?? "", m.groupCount());
      out.push(expanded);
      outLength += expanded.length;
      if (outLength > celLimits.maxStringLength) limitString(out.join(""), "translate");
    }
    lastMatchEnd = end;
    const width = codePointWidth(input, searchPos);
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos += 1;
    else searchPos = end;
  }
  out.push(input.slice(lastMatchEnd));
  return limitString(out.join(""), "translate");
}

/** Go's Regexp.Expand: `$$`, `${name}`, `$name` (the longest run of word characters). */
function expand(
  template: string,
  group: (name: string | number) => string,
  groupCount: number,
): string {
  if (!template.includes("$")) return template;
  return template.replace(/\$(?:\$|\{(\w+)\}|(\w+))/g, (whole, braced?: string, bare?: string) => {
    if (whole === "$$") return "$";
    const name = braced ?? bare ?? "";
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      return i <= groupCount ? group(i) : "";
    }
    try {
      return group(name);
    } catch {
      return ""; // a name that is not a group of the pattern
    }
  });
}

function codePointWidth(s: string, i: number): number {
  if (i >= s.length) return 1;
  const c = s.codePointAt(i) ?? 0;
  return c > 0xffff ? 2 : 1;
}

function describe(error: unknown): string {
  if (error instanceof RE2JSException) return error.message.replace(/^error parsing regexp: /, "");
  return error instanceof Error ? error.message : String(error);
}
