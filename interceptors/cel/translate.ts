import { limitString } from "./cel-limits.js";

const cache = new Map<string, RegExp>();

/**
 * Tekton's `string.translate(regex, replacement)`: Go's `regexp.ReplaceAllString`. The pattern is
 * RE2 syntax run on the JavaScript engine: `(?P<name>…)` and leading `(?i)`/`(?s)`/`(?m)` flags are
 * translated; other RE2-only syntax fails as a bad regex. The replacement expands like Go's
 * `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; an unknown group expands to "".
 * @example translate("refs/heads/main", "^refs/heads/(.*)$", "$1") // "main"
 */
export function translate(input: string, pattern: string, replacement: string): string {
  const re = compileGoRegExp(pattern);
  const out = input.replace(re, (...args: unknown[]) => expand(replacement, args));
  return limitString(out, "translate");
}

function compileGoRegExp(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let source = pattern;
  let flags = "gu";
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline !== null) {
    flags += [...new Set(inline[1])].join("");
    source = source.slice(inline[0].length);
  }
  source = source.replace(/\(\?P</g, "(?<");
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch {
    // Unicode mode rejects some escapes RE2 accepts (e.g. `\-` outside a class): retry without it.
    try {
      re = new RegExp(source, flags.replace("u", ""));
    } catch (cause) {
      throw new Error("failed to parse regular expression for translation", { cause });
    }
  }
  if (cache.size < 256) cache.set(pattern, re);
  return re;
}

/** `args` is what String.prototype.replace hands a replacer: match, groups…, offset, input[, named]. */
function expand(template: string, args: unknown[]): string {
  const last = args[args.length - 1];
  const named =
    typeof last === "object" && last !== null
      ? (last as Record<string, string | undefined>)
      : undefined;
  const groupCount = args.length - (named === undefined ? 3 : 4);
  const group = (name: string): string => {
    if (/^\d+$/.test(name)) {
      const i = Number(name);
      const v = i <= groupCount ? args[i] : undefined;
      return typeof v === "string" ? v : "";
    }
    return named?.[name] ?? "";
  };
  return template.replace(/\$(?:\$|\{(\w+)\}|(\w+))/g, (whole, braced?: string, bare?: string) => {
    if (whole === "$$") return "$";
    return group(braced ?? bare ?? "");
  });
}
