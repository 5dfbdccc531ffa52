import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";

/**
 * A request as a Tekton example's `curl.sh` describes it. Only what those scripts use is
 * understood: `-X`, `-H`, `-d`/`--data`, `--data-binary`, `--data-raw`, the URL, and flags that do
 * not change the request (`-v`, `-k`, `-i`, `-s`). Anything else is an error, so a new example
 * with an unknown option fails loudly instead of sending the wrong request.
 */
export interface CurlRequest {
  method: string;
  url: string;
  /** The URL's path and query, as the server sees it. */
  path: string;
  /** In the order given; a name may repeat. */
  headers: [name: string, value: string][];
  /** The body bytes curl would send (undefined when there is no data option). */
  body: Buffer | undefined;
}

export interface ParseCurlOptions {
  /** Values of `$1`, `$2`, … (a script's positional arguments). */
  args?: readonly string[];
  /** Reads `@file` data; `file` is as written in the script. */
  readFile: (file: string) => Buffer;
}

const QUIET_FLAGS = new Set([
  "-v",
  "--verbose",
  "-k",
  "--insecure",
  "-i",
  "--include",
  "-s",
  "--silent",
  "-S",
  "--show-error",
]);

/** Parses the (single) curl command of a script, as bash would split it, into the request curl would send. */
export function parseCurlScript(script: string, options: ParseCurlOptions): CurlRequest {
  const words = shellWords(script, options.args ?? []);
  const start = words.indexOf("curl");
  if (start < 0) throw new Error("no curl command in the script");
  let method: string | undefined;
  let url: string | undefined;
  const headers: [string, string][] = [];
  const data: Buffer[] = [];
  const rest = words.slice(start + 1);
  const next = (opt: string): string => {
    const v = rest.shift();
    if (v === undefined) throw new Error(`${opt} needs a value`);
    return v;
  };
  while (rest.length > 0) {
    const w = rest.shift() ?? "";
    if (QUIET_FLAGS.has(w)) continue;
    switch (w) {
      case "-X":
      case "--request":
        method = next(w);
        break;
      case "-H":
      case "--header": {
        const h = next(w);
        const colon = h.indexOf(":");
        if (colon <= 0) throw new Error(`bad header ${JSON.stringify(h)}`);
        headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
        break;
      }
      case "-d":
      case "--data":
      case "--data-ascii": {
        // curl reads `@file` here in text mode: carriage returns and newlines are stripped.
        const v = next(w);
        data.push(
          v.startsWith("@")
            ? Buffer.from(
                options
                  .readFile(v.slice(1))
                  .toString("latin1")
                  .replace(/[\r\n]/g, ""),
                "latin1",
              )
            : Buffer.from(v),
        );
        break;
      }
      case "--data-binary": {
        const v = next(w);
        data.push(v.startsWith("@") ? options.readFile(v.slice(1)) : Buffer.from(v));
        break;
      }
      case "--data-raw":
        data.push(Buffer.from(next(w)));
        break;
      default:
        if (w.startsWith("-")) throw new Error(`curl option ${w} is not understood by this parser`);
        if (url !== undefined) throw new Error(`two URLs: ${url} and ${w}`);
        url = w;
    }
  }
  if (url === undefined) throw new Error("no URL in the curl command");
  // Several data options are joined with "&", as curl does.
  const body =
    data.length === 0
      ? undefined
      : Buffer.concat(data.flatMap((d, i) => (i === 0 ? [d] : [Buffer.from("&"), d])));
  // curl's default for -d: a form post, unless the script names its own Content-Type.
  if (body !== undefined && !headers.some(([n]) => n.toLowerCase() === "content-type")) {
    headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
  }
  const parsed = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
  return {
    method: method ?? (body === undefined ? "GET" : "POST"),
    url,
    path: `${parsed.pathname}${parsed.search}`,
    headers,
    body,
  };
}

/** A file named in a curl.sh: relative to the example folder, or, as Tekton's e2e runs it, to the triggers repository root (`examples/v1beta1/...`). */
export function exampleFileReader(
  exampleDir: string,
  examplesRoot: string,
): (file: string) => Buffer {
  return (file) => {
    const candidates = isAbsolute(file)
      ? [file]
      : [
          join(exampleDir, file),
          ...(file.startsWith("examples/")
            ? [join(examplesRoot, file.slice("examples/".length))]
            : []),
        ];
    const found = candidates.find((c) => existsSync(c));
    if (found === undefined)
      throw new Error(`curl data file ${file} not found (looked at ${candidates.join(", ")})`);
    return readFileSync(found);
  };
}

/**
 * Splits a shell script into words as bash would for a simple command: `\`-newline joins lines,
 * single quotes are literal, double quotes allow `\"`, `\\`, `\$` and `$N`, `#` starts a comment
 * at the start of a word, and `$N` expands from `args` outside single quotes.
 */
export function shellWords(script: string, args: readonly string[]): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let i = 0;
  const expand = (): string => {
    const m = /^\$(\d)|^\$\{(\d+)\}/.exec(script.slice(i));
    if (m === null) {
      i++;
      return "$";
    }
    i += m[0].length;
    const n = Number(m[1] ?? m[2]);
    return n === 0 ? "curl.sh" : (args[n - 1] ?? "");
  };
  while (i < script.length) {
    const c = script[i] ?? "";
    if (c === "\\" && script[i + 1] === "\n") {
      i += 2;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === ";") {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
      i++;
    } else if (c === "#" && cur === undefined) {
      while (i < script.length && script[i] !== "\n") i++;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated single quote");
      cur = (cur ?? "") + script.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      cur ??= "";
      i++;
      for (;;) {
        if (i >= script.length) throw new Error("unterminated double quote");
        const d = script[i] ?? "";
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && '"\\$`\n'.includes(script[i + 1] ?? "")) {
          if (script[i + 1] !== "\n") cur += script[i + 1];
          i += 2;
        } else if (d === "$") {
          cur += expand();
        } else {
          cur += d;
          i++;
        }
      }
    } else if (c === "\\") {
      cur = (cur ?? "") + (script[i + 1] ?? "");
      i += 2;
    } else if (c === "$") {
      cur = (cur ?? "") + expand();
    } else {
      cur = (cur ?? "") + c;
      i++;
    }
  }
  if (cur !== undefined) words.push(cur);
  return words;
}
