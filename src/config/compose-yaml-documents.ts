import { Composer, LineCounter, Parser, type Document } from "yaml";

/**
 * yaml's positioned reading of a file, a piece at a time: its Lexer and Parser take their input
 * in pieces (a streaming interface), so a single document of thousands of triggers is read a
 * piece at a time, not in one block, pausing after each piece; each finished document is handed
 * to `take` as soon as its last piece is in. `lines` gets the line starts (for positions).
 */
export function* composeYamlDocuments(
  text: string,
  lines: LineCounter,
  take: (doc: Document.Parsed) => void,
): Generator<void, void, undefined> {
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ uniqueKeys: true });
  let at = 0;
  do {
    // A piece ends at a line end, so that no token is cut (the lexer would cope, but need not).
    const cut = text.indexOf("\n", at + YAML_PIECE_CHARS);
    const end = cut === -1 ? text.length : cut + 1;
    const tokens = withEnvSnapshot(() => [...parser.parse(text.slice(at, end), end < text.length)]);
    for (const token of tokens) for (const doc of composer.next(token)) take(doc);
    at = end;
    yield;
  } while (at < text.length);
  for (const doc of composer.end()) take(doc);
}

/** How much YAML text is lexed and parsed between two pauses (about 2,000 lines of config). */
const YAML_PIECE_CHARS = 64 * 1024;

/**
 * Runs `fn` with `process.env` replaced by a plain copy of itself. yaml 2's Parser reads
 * `process.env.LOG_TOKENS` for every token it sees (dist/parse/parser.js, `next`), and a read of
 * the real `process.env` goes through Node's environment interceptor: on a 5,000-trigger file
 * that was a quarter of the parse. `fn` is synchronous, so nothing else runs meanwhile.
 */
function withEnvSnapshot<T>(fn: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return fn();
  } finally {
    process.env = env;
  }
}

export { LineCounter };
