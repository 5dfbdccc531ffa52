import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { Document, LineCounter, type Node } from "yaml";
import type { InterceptorRegistry } from "../interceptors/registry.js";
import { DecodeContext } from "./decode.js";
import { decodeDocument } from "./decode-document.js";
import { preDecodeListenerTriggers } from "./decode-event-listener.js";
import type { PreDecodedTriggers } from "./interceptor-decode-env.js";
import { compileConfigInTurns } from "./compile-config.js";
import type { CompiledConfig } from "./compiled.js";
import { documentError, formatIssue, unreadable, warning } from "./issues.js";
import { createDecodedConfig, type DecodedConfig } from "./decoded-config.js";
import { DEFAULT_CONFIG_LIMITS, readConfigFiles, type ConfigLimits } from "./read-config-files.js";
import { runAtOnce, runInTurns } from "./run-in-turns.js";
import { composeYamlDocuments } from "./compose-yaml-documents.js";
import { loadYamlFast, type FastYamlLoad } from "./fast-yaml-load.js";
import { buildFastNodes } from "./fast-yaml-nodes.js";
import { loadYamlOffThread, OFF_THREAD_CHARS } from "./load-yaml-off-thread.js";
import { FastDocument, FastFile, preparePositions } from "./fast-yaml-positions.js";
import type { ConfigIssue, ConfigObject } from "./types.js";

export type { ConfigLimits, DecodedConfig };

const EXTENSIONS = [".yaml", ".yml", ".json"];

export interface LoadOptions {
  registry: InterceptorRegistry;
  /** Paths in messages are relative to this (default: the current directory). */
  relativeTo?: string;
  /** Size limits (default 4 MiB a file, 32 MiB a directory: settings/defaults.ts). */
  limits?: ConfigLimits;
  /**
   * Read big files (OFF_THREAD_CHARS and more) in a worker thread, so that requests are answered
   * meanwhile: for reloads. Off by default: at start-up and in the CLI nothing waits for the
   * loop, and the worker's start costs more than the reading it takes off the thread.
   */
  offThread?: boolean;
}

/**
 * Loads every YAML/JSON file under `dir` (recursively, in path order) and compiles it. Never
 * throws for bad content: every problem is an issue in the result, with file, line, column and
 * field; `hasDocumentErrors` tells whether the result may be served.
 */
export async function loadConfigDir(dir: string, options: LoadOptions): Promise<CompiledConfig> {
  const decoded = await decodeConfigDir(dir, options);
  const compiled = await compileConfigInTurns(decoded);
  // Positions of the compile's issues (a reference to nothing) in files read the fast way.
  await runInTurns(preparePositions(compiled.issues));
  return compiled;
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
    const fast =
      options.offThread === true && text.length >= OFF_THREAD_CHARS
        ? await loadYamlOffThread(text)
        : "unread";
    await runInTurns(decodeDocuments(text, file, options.registry, out, fast));
  }
  markDuplicates(out);
  return out;
}

/**
 * Decodes one file's text into `out` (also used by the cluster source, with a resource's kind and
 * name as the "file"). `reading: "slow"` skips the fast reading (for the tests that compare the
 * two).
 */
export function decodeConfigText(
  text: string,
  file: string,
  registry: InterceptorRegistry,
  out: DecodedConfig,
  reading: "fast-if-possible" | "slow" = "fast-if-possible",
): void {
  runAtOnce(decodeDocuments(text, file, registry, out, reading === "slow" ? undefined : "unread"));
}

/**
 * Decodes a file's documents into `out`, with pauses. The file is read the fast way when it can
 * be (`fast`, or read here: fast-yaml-load.ts; nodes built a few thousand at a time), else the
 * slow way, which gives positioned YAML errors: yaml's Parser a piece of text at a time, each
 * document composed and decoded as soon as its last piece is in. Either way the decoders see
 * yaml nodes and report the same issues at the same places.
 */
function* decodeDocuments(
  text: string,
  file: string,
  registry: InterceptorRegistry,
  out: DecodedConfig,
  fast: FastYamlLoad | undefined | "unread" = "unread",
): Generator<void, void, undefined> {
  const read = fast === "unread" ? loadYamlFast(text) : fast;
  if (read !== undefined && (yield* decodeFastDocuments(read.docs, text, file, registry, out)))
    return;
  const lines = new LineCounter();
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
  yield* composeYamlDocuments(text, lines, take);
}

/**
 * Builds the nodes of every document read the fast way, then decodes them; false (nothing
 * decoded) when a document has a key the fast way cannot tell apart (fast-yaml-nodes.ts). When a
 * document has an issue, the file's slow reading is done here, with pauses, for the positions.
 */
function* decodeFastDocuments(
  values: readonly unknown[],
  text: string,
  file: string,
  registry: InterceptorRegistry,
  out: DecodedConfig,
): Generator<void, boolean, undefined> {
  const positions = new FastFile(text);
  const roots: (Node | null)[] = [];
  for (const value of values) {
    const kinds: number[] = [];
    const doc = new FastDocument(positions, kinds, value === null);
    const root = yield* buildFastNodes(value, doc, kinds);
    if (root === undefined) return false;
    doc.seal();
    positions.docs.push(doc);
    roots.push(root);
  }
  const shell = new Document();
  let issues = false;
  for (const root of roots) {
    const cx = new DecodeContext(file, shell);
    const env = { cx, registry, compiled: out.compiled, triggers: new Map() as PreDecodedTriggers };
    yield* preDecodeListenerTriggers(root, env, env.triggers);
    out.objects.push(...decodeDocument(root, env));
    out.issues.push(...cx.issues);
    issues ||= cx.issues.length > 0;
    yield;
  }
  if (issues) yield* positions.prepare();
  return true;
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
