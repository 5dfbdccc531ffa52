import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { Composer, LineCounter, Parser, type Document } from "yaml";
import type { InterceptorRegistry } from "../interceptors/registry.js";
import { DecodeContext } from "./decode.js";
import { decodeDocument } from "./decode-document.js";
import { compileConfigInTurns } from "./compile-config.js";
import type { CompiledConfig } from "./compiled.js";
import { documentError, formatIssue, unreadable, warning } from "./issues.js";
import { createDecodedConfig, type DecodedConfig } from "./decoded-config.js";
import { DEFAULT_CONFIG_LIMITS, readConfigFiles, type ConfigLimits } from "./read-config-files.js";
import { runAtOnce, runInTurns } from "./run-in-turns.js";
import type { ConfigIssue, ConfigObject } from "./types.js";

export type { ConfigLimits, DecodedConfig };

const EXTENSIONS = [".yaml", ".yml", ".json"];

export interface LoadOptions {
  registry: InterceptorRegistry;
  /** Paths in messages are relative to this (default: the current directory). */
  relativeTo?: string;
  /** Size limits (default 4 MiB a file, 32 MiB a directory: settings/defaults.ts). */
  limits?: ConfigLimits;
}

/**
 * Loads every YAML/JSON file under `dir` (recursively, in path order) and compiles it. Never
 * throws for bad content: every problem is an issue in the result, with file, line, column and
 * field; `hasDocumentErrors` tells whether the result may be served.
 */
export async function loadConfigDir(dir: string, options: LoadOptions): Promise<CompiledConfig> {
  const decoded = await decodeConfigDir(dir, options);
  return compileConfigInTurns(decoded);
}

export async function decodeConfigDir(dir: string, options: LoadOptions): Promise<DecodedConfig> {
  const base = options.relativeTo ?? process.cwd();
  const out = createDecodedConfig(options.registry.names());
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : "cannot be read";
    out.issues.push(
      unreadable(
        { file: relative(base, dir) || dir, line: 1, column: 1, field: "" },
        `config directory ${reason}`,
      ),
    );
    return out;
  }
  const limits = options.limits ?? DEFAULT_CONFIG_LIMITS;
  // Between documents the event loop gets a turn now and then (and between files, reading them),
  // so that requests are answered during a reload of a big config.
  for await (const { file, text } of readConfigFiles(dir, files, base, limits, out.issues)) {
    await runInTurns(decodeDocuments(text, file, options.registry, out));
  }
  markDuplicates(out);
  return out;
}

/** Decodes one file's text into `out` (also used by the cluster source, with a resource's kind and name as the "file"). */
export function decodeConfigText(
  text: string,
  file: string,
  registry: InterceptorRegistry,
  out: DecodedConfig,
): void {
  runAtOnce(decodeDocuments(text, file, registry, out));
}

/**
 * Decodes a file's documents into `out`, pausing after each piece of the text: the yaml Lexer and
 * Parser take their input in pieces (a streaming interface), so a single document of thousands of
 * triggers is read a piece at a time, not in one block; a finished document is composed and
 * decoded as soon as its last piece is in.
 */
function* decodeDocuments(
  text: string,
  file: string,
  registry: InterceptorRegistry,
  out: DecodedConfig,
): Generator<void, void, undefined> {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ uniqueKeys: true });
  const take = (doc: Document.Parsed): void => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.pos[0] >= 0 ? lines.linePos(e.pos[0]) : { line: 1, col: 1 };
        out.issues.push(
          documentError(
            { file, line: pos.line, column: pos.col, field: "" },
            `invalid YAML: ${e.message.split("\n")[0] ?? ""}`,
          ),
        );
      }
    } else {
      const cx = new DecodeContext(file, doc, lines);
      out.objects.push(...decodeDocument(doc.contents, { cx, registry, compiled: out.compiled }));
      out.issues.push(...cx.issues);
    }
  };
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

async function listFiles(dir: string): Promise<string[]> {
  const info = await stat(dir);
  if (!info.isDirectory()) return [dir];
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith(".")) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (EXTENSIONS.some((ext) => e.name.endsWith(ext))) found.push(p);
    }
  };
  await walk(dir);
  return found;
}

/** The same (kind, namespace, name) twice: the later one wins, as two `kubectl apply`s would. */
export function markDuplicates(out: DecodedConfig): void {
  const seen = new Map<string, ConfigObject>();
  const kept: ConfigObject[] = [];
  for (const obj of out.objects) {
    const key = `${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const where = `${earlier.loc.file}:${earlier.loc.line}:${earlier.loc.column}`;
      out.issues.push(
        warning(
          obj.loc,
          `${obj.kind} "${qualified(obj)}" is defined twice; this one replaces the one at ${where}`,
        ),
      );
      kept.splice(kept.indexOf(earlier), 1);
    }
    seen.set(key, obj);
    kept.push(obj);
  }
  out.objects = kept;
}

function qualified(obj: ConfigObject): string {
  return obj.metadata.namespace === ""
    ? obj.metadata.name
    : `${obj.metadata.namespace}/${obj.metadata.name}`;
}

export function hasDocumentErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === "error" && i.class === "document");
}

export { formatIssue };
