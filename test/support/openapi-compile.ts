import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import type * as Ajv2020Module from "ajv/dist/2020.js";
import type AddFormats from "ajv-formats";
import type * as Yaml from "yaml";

/**
 * openapi.yaml's answers, compiled once into a module on disk and reused by every test file.
 *
 * Parsing the document and compiling its schemas with Ajv cost ~300 ms in each of ~50 test files
 * (~17 s a run). This compiles every response schema once, with Ajv's standalone code generation,
 * into `node_modules/.cache/hookline-openapi/<sha256 of openapi.yaml>.cjs`; a changed document gets
 * a new file. The vitest globalSetup warms it before the workers start (openapi-global-setup.ts);
 * a file run without it builds it on first use. Loading is synchronous (`require`), because answers
 * are checked inside the test apps' synchronous response hooks. Ajv and yaml are required lazily,
 * so a test file that loads the cache never loads them.
 */

/** One documented answer: its content types (absent: no body documented) and JSON validator. */
export interface DocumentedAnswer {
  types: string[] | undefined;
  /** Export name of the JSON body's validator in the compiled module, when it has a schema. */
  validator: string | undefined;
}

export interface CompiledOpenApi {
  /** `"<path template> <method> <status>"` → the answer. */
  answers: Record<string, DocumentedAnswer>;
  /** `"<path template> <method>"` of every documented operation. */
  operations: string[];
  validators: Record<string, ValidateFunction>;
}

interface Media {
  schema?: unknown;
}
interface Response {
  $ref?: string;
  content?: Record<string, Media>;
}
interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, Response> }>>;
  components?: { responses?: Record<string, Response> };
}

const require = createRequire(import.meta.url);
// Not fixtures.ts's ROOT: the setup file loads this module in every test file, and should stay light.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CACHE_DIR = join(ROOT, "node_modules", ".cache", "hookline-openapi");
/** Bump when the module's shape changes, so an old cache file is not read as a new one. */
const FORMAT = "1";

/** The compiled module's path; builds it when openapi.yaml (or this format) has none yet. */
export function compiledOpenApiFile(): string {
  const text = readFileSync(join(ROOT, "openapi.yaml"), "utf8");
  const hash = createHash("sha256").update(FORMAT).update(text).digest("hex").slice(0, 16);
  const file = join(CACHE_DIR, `${hash}.cjs`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE_DIR, { recursive: true });
  // Written whole, then renamed: a worker that starts meanwhile sees no file or a complete one.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, compile(text));
  renameSync(partial, file);
  return file;
}

/** The compiled validators and the table of documented answers. */
export function loadCompiledOpenApi(): CompiledOpenApi {
  const compiled = require(compiledOpenApiFile()) as Omit<CompiledOpenApi, "validators"> &
    Record<string, unknown>;
  const validators: Record<string, ValidateFunction> = {};
  for (const answer of Object.values(compiled.answers))
    if (answer.validator !== undefined)
      validators[answer.validator] = compiled[answer.validator] as ValidateFunction;
  return { answers: compiled.answers, operations: compiled.operations, validators };
}

/** The module's source: every JSON response schema as a standalone validator, plus the table. */
function compile(text: string): string {
  // Lazy: only the process that builds the cache loads Ajv and yaml.
  const { parse } = require("yaml") as typeof Yaml;
  const { Ajv2020 } = require("ajv/dist/2020.js") as typeof Ajv2020Module;
  const addFormats = (require("ajv-formats") as { default: typeof AddFormats.default }).default;
  const standaloneCode = require("ajv/dist/standalone/index.js") as (
    ajv: InstanceType<typeof Ajv2020>,
    refs: Record<string, string>,
  ) => string;

  const spec = parse(text) as OpenApi;
  const ajv = new Ajv2020({ strict: false, allErrors: true, code: { source: true } });
  addFormats(ajv);
  // The whole document under one id, so schemas' "#/components/..." refs resolve inside it.
  ajv.addSchema({ ...(spec as object), $id: "openapi.json" });

  const answers: Record<string, DocumentedAnswer> = {};
  const operations: string[] = [];
  const exports: Record<string, string> = {};
  for (const [template, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.responses === undefined) continue; // `parameters` and the like
      operations.push(`${template} ${method}`);
      for (const [status, declared] of Object.entries(operation.responses)) {
        const response =
          declared.$ref === undefined
            ? declared
            : spec.components?.responses?.[declared.$ref.split("/").pop() ?? ""];
        const schema = response?.content?.["application/json"]?.schema;
        let validator: string | undefined;
        if (schema !== undefined) {
          validator = `v${Object.keys(exports).length}`;
          // A relative id, so the schema's "openapi.json#/..." refs resolve to the document.
          const id = `answer-${validator}.json`;
          ajv.addSchema({ ...(withRefs(schema) as object), $id: id });
          exports[validator] = id;
        }
        answers[`${template} ${method} ${status}`] = {
          types: response?.content === undefined ? undefined : Object.keys(response.content),
          validator,
        };
      }
    }
  }
  return `${standaloneCode(ajv, exports)}\nexports.answers = ${JSON.stringify(answers)};\nexports.operations = ${JSON.stringify(operations)};\n`;
}

/** A schema copied out of the document, its local refs pointed back into it. */
function withRefs(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"openapi.json#/'),
  ) as unknown;
}
