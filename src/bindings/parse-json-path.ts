import type { CompareOperator, FilterOperand, FilterSpec, PathStep } from "./types.js";

/** A parsed node: a path step, or a literal (only meaningful as a filter operand). */
type Node = PathStep | { readonly kind: "literal"; readonly value: string | number | boolean };

const compareOperators: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">="]);
const sliceSyntax = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const dictKeySyntax = /^'([^']*)'$/;
const filterSyntax = /^([^!<>=]+)([!<>=~]+)(.+?)$/;

/**
 * Parses the inside of a Kubernetes JSONPath action (`.body.a[0]`, without the braces) into
 * steps, following the grammar of `k8s.io/client-go/util/jsonpath` (TEKTON-SPEC §5.3): field names
 * run to a space or one of `.,[]$@{}` and a backslash escapes the next character; `[n]`, `[a:b:c]`,
 * `[*]`, `[0,2]`, `['key']`, `[?(...)]`, `.*` and `..` are understood. Throws an Error on bad syntax.
 * Literals, `range` and `end` are rejected: they make no sense in a binding.
 */
export function parseJsonPath(text: string): PathStep[] {
  const steps: PathStep[] = [];
  for (const node of parseAction(text)) {
    if (node.kind === "literal")
      throw new Error(`unexpected literal ${JSON.stringify(node.value)} in path`);
    steps.push(node);
  }
  return steps;
}

function isTerminator(c: string): boolean {
  return " \t\r\n.,[]$@{}".includes(c);
}

function isAlphaNumeric(c: string): boolean {
  return c === "_" || /^[\p{L}\p{Nd}]$/u.test(c);
}

function parseAction(text: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  while (pos < text.length) {
    const c = text[pos] ?? "";
    if (text.startsWith("[?(", pos)) {
      pos = parseFilter(text, pos + 3, nodes);
    } else if (text.startsWith("..", pos)) {
      if (nodes.at(-1)?.kind === "recursive") throw new Error("invalid multiple recursive descent");
      nodes.push({ kind: "recursive" });
      pos += 2;
      if (isAlphaNumeric(text[pos] ?? "")) pos = parseField(text, pos, nodes);
    } else if (c === "\r" || c === "\n") {
      throw new Error("unclosed action");
    } else if (c === " " || c === "@" || c === "$") {
      pos++; // spaces are skipped; `@` and `$` both mean the current object
    } else if (c === "[") {
      pos = parseBracket(text, pos, nodes);
    } else if (c === '"' || c === "'") {
      pos = parseQuoted(text, pos, nodes);
    } else if (c === ".") {
      pos = parseField(text, pos + 1, nodes);
    } else if (c === "+" || c === "-" || /\d/.test(c)) {
      pos = parseNumber(text, pos, nodes);
    } else if (isAlphaNumeric(c)) {
      let end = pos;
      while (end < text.length && !isTerminator(text[end] ?? "")) end++;
      const word = text.slice(pos, end);
      if (word !== "true" && word !== "false") throw new Error(`unsupported identifier "${word}"`);
      nodes.push({ kind: "literal", value: word === "true" });
      pos = end;
    } else {
      const code = (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
      throw new Error(`unrecognized character in action: U+${code} '${c}'`);
    }
  }
  return nodes;
}

/** A field after `.` (or `..`); every backslash is dropped, as client-go does. */
function parseField(text: string, start: number, nodes: Node[]): number {
  let pos = start;
  while (pos < text.length) {
    const c = text[pos] ?? "";
    if (c === "\\") pos += 2;
    else if (isTerminator(c)) break;
    else pos++;
  }
  pos = Math.min(pos, text.length);
  const raw = text.slice(start, pos);
  nodes.push(
    raw === "*" ? { kind: "wildcard" } : { kind: "field", name: raw.replaceAll("\\", "") },
  );
  return pos;
}

function parseNumber(text: string, start: number, nodes: Node[]): number {
  let pos = start;
  if (text[pos] === "+" || text[pos] === "-") pos++;
  while (pos < text.length && /[\d.]/.test(text[pos] ?? "")) pos++;
  const raw = text.slice(start, pos);
  const value = Number(raw);
  if (!/\d/.test(raw) || Number.isNaN(value) || raw.split(".").length > 2) {
    throw new Error(`cannot parse number ${raw}`);
  }
  nodes.push({ kind: "literal", value });
  return pos;
}

function parseQuoted(text: string, start: number, nodes: Node[]): number {
  const quote = text[start] ?? "";
  let pos = start + 1;
  for (;;) {
    const c = text[pos];
    if (c === undefined || c === "\n") throw new Error("unterminated quoted string");
    if (c === "\\") pos += 2;
    else if (c === quote) break;
    else pos++;
  }
  nodes.push({ kind: "literal", value: unquote(text.slice(start + 1, pos), quote) });
  return pos + 1;
}

/** Go's strconv.Unquote rules, for either quote character. */
function unquote(body: string, quote: string): string {
  if (!body.includes("\\")) return body;
  const asDouble = quote === "'" ? body.replaceAll("\\'", "'").replaceAll('"', '\\"') : body;
  try {
    const value: unknown = JSON.parse(`"${asDouble}"`);
    if (typeof value === "string") return value;
  } catch {
    // fall through to the error below
  }
  throw new Error(`unquote string ${quote}${body}${quote} error invalid syntax`);
}

/** `[...]`: index, slice, `*`, union or `'key'`; the text runs to the first `]`. */
function parseBracket(text: string, start: number, nodes: Node[]): number {
  const close = text.indexOf("]", start);
  const newline = text.indexOf("\n", start);
  if (close === -1 || (newline !== -1 && newline < close)) throw new Error("unterminated array");
  let inner = text.slice(start + 1, close);
  if (inner === "*") inner = ":";
  const parts = inner.split(",");
  if (parts.length > 1) {
    const branches = parts.map((part) => parseJsonPath(`[${part.trim()}]`));
    nodes.push({ kind: "union", branches });
    return close + 1;
  }
  const key = dictKeySyntax.exec(inner);
  if (key) {
    // client-go re-parses `['a.b']` as `.a.b`, so a dot in a quoted key still splits it.
    nodes.push(...parseJsonPath(`.${key[1] ?? ""}`));
    return close + 1;
  }
  const slice = sliceSyntax.exec(inner);
  if (!slice) throw new Error(`invalid array index ${inner}`);
  const number = (raw: string | undefined): number | undefined => {
    const digits = raw?.replace(/^:/, "") ?? "";
    if (digits === "") return undefined;
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) throw new Error(`array index ${digits} is not a number`);
    return value;
  };
  const begin = number(slice[1]);
  const hasEnd = slice[2] !== undefined;
  nodes.push({
    kind: "slice",
    start: begin,
    end: hasEnd ? number(slice[2]) : (begin ?? 0) + 1,
    endDerived: !hasEnd,
    step: number(slice[3]),
  });
  return close + 1;
}

/** `[?(left op right)]` or `[?(path)]`; `start` is just after `[?(`. */
function parseFilter(text: string, start: number, nodes: Node[]): number {
  let pos = start;
  let quote = "";
  for (;;) {
    const c = text[pos];
    if (c === undefined || c === "\n") throw new Error("unterminated filter");
    if (quote !== "") {
      if (c === "\\") pos++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ")") {
      break;
    }
    pos++;
  }
  if (text[pos + 1] !== "]") throw new Error("unclosed array expect ]");
  const inner = text.slice(start, pos);
  const match = filterSyntax.exec(inner);
  let filter: FilterSpec;
  if (!match) {
    filter = { op: "exists", left: parseOperand(inner) };
  } else {
    const op = match[2] ?? "";
    if (!compareOperators.has(op)) throw new Error(`unrecognized filter operator ${op}`);
    filter = {
      op: op as CompareOperator,
      left: parseOperand(match[1] ?? ""),
      right: parseOperand(match[3] ?? ""),
    };
  }
  nodes.push({ kind: "filter", filter });
  return pos + 2;
}

function parseOperand(text: string): FilterOperand {
  const nodes = parseAction(text);
  const first = nodes[0];
  if (nodes.length === 1 && first?.kind === "literal")
    return { kind: "literal", value: first.value };
  const steps: PathStep[] = [];
  for (const node of nodes) {
    if (node.kind === "literal")
      throw new Error(`cannot mix a literal and a path in filter operand "${text.trim()}"`);
    steps.push(node);
  }
  return { kind: "path", steps };
}
