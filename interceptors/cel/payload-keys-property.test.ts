import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { InterceptorResponse } from "../../src/interceptors/public.js";
import { compileExpression, evaluateExpression } from "../../src/bindings/index.js";
import {
  makeContext,
  makeRequest,
  runInterceptor,
} from "../../test/support/interceptor-harness.js";
import { cel } from "./index.js";

/**
 * Property (issue 11): random JSON payloads whose keys include names that JavaScript objects
 * already have never give a CEL result or a binding result other than the same payload with those
 * keys renamed to harmless ones. The rename appends "_" (`constructor` → `constructor_`): no other
 * key starts with one of these names, so Go-style sorted output keeps its order, and the results
 * are compared after renaming back.
 */
const DANGER = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"] as const;
const KEYS = [...DANGER, "a", "b"] as const;

const renamed = (key: string): string =>
  (DANGER as readonly string[]).includes(key) ? `${key}_` : key;
const unrenamed = (text: string): string =>
  text.replace(/\b(constructor|__proto__|toString|hasOwnProperty|valueOf)_(?![\w])/g, "$1");

/** A JSON document as a tree, written out as text so that `__proto__` stays an own key. */
type Doc =
  | { kind: "leaf"; value: null | boolean | number | string }
  | { kind: "list"; items: Doc[] }
  | { kind: "map"; entries: [string, Doc][] };

const { doc: docArb } = fc.letrec<{ doc: Doc; leaf: Doc; list: Doc; map: Doc }>((tie) => ({
  doc: fc.oneof({ depthSize: "small" }, tie("leaf"), tie("list"), tie("map"), tie("map")),
  leaf: fc
    .oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom("x", "y"),
    )
    .map((value): Doc => ({ kind: "leaf", value })),
  list: fc.array(tie("doc"), { maxLength: 3 }).map((items): Doc => ({ kind: "list", items })),
  map: fc
    .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie("doc")), {
      maxLength: 4,
      selector: ([key]) => key,
    })
    .map((entries): Doc => ({ kind: "map", entries })),
}));

const rootArb = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), docArb), { maxLength: 5, selector: ([k]) => k })
  .map((entries): Doc => ({ kind: "map", entries }));

function text(doc: Doc, rename: (key: string) => string): string {
  switch (doc.kind) {
    case "leaf":
      return JSON.stringify(doc.value);
    case "list":
      return `[${doc.items.map((d) => text(d, rename)).join(",")}]`;
    case "map":
      return `{${doc.entries.map(([k, d]) => `${JSON.stringify(rename(k))}:${text(d, rename)}`).join(",")}}`;
  }
}

/** Keys sorted at every depth, renamed back: the form two results are compared in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]): [string, string] => [
      unrenamed(k),
      canonical(v),
    ]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
  }
  return typeof value === "string" ? JSON.stringify(unrenamed(value)) : JSON.stringify(value);
}

/** A string result that is JSON text (marshalJSON, a binding's object) compares by its content. */
function canonicalText(value: string): string {
  try {
    return `json:${canonical(JSON.parse(value))}`;
  } catch {
    return `text:${unrenamed(value)}`;
  }
}

const celTemplates: ((r: string, k1: string, k2: string) => string)[] = [
  (r, k1) => `has(${r}.${k1})`,
  (r, k1) => `'${k1}' in ${r}`,
  (r, k1) => `${r}.${k1}`,
  (r, k1) => `${r}['${k1}']`,
  (r, k1, k2) => `${r}.${k1}.${k2}`,
  (r, k1, k2) => `has(${r}.${k1}.${k2})`,
  (r, k1, k2) => `'${k2}' in ${r}.${k1}`,
  (r, k1) => `${r}.${k1}[0]`,
  (r, k1, k2) => `${r}.${k1}[0].${k2}`,
  (r) => `size(${r})`,
  (r, k1) => `size(${r}.${k1})`,
  (r) => `${r}.map(x, x)`,
  (r, k1) => `${r}.exists(x, x == '${k1}')`,
  (r, k1, k2) => `${r}.${k1}.exists(x, x == '${k2}')`,
  (r, k1, k2) => `${r}.${k1}.all(x, x != '${k2}')`,
  (r, k1) => `${r}.${k1}.map(x, x)`,
  (r, k1, k2) => `${r}.filter(x, x == '${k1}' || x == '${k2}')`,
  (r, k1, k2) => `${r}.${k1}.exists(e, has(e.${k2}))`,
  (r) => r,
  (r) => `${r}.marshalJSON()`,
  (r, k1) => `${r}.${k1}.marshalJSON()`,
  (r, k1) => `${r} == ${r} && ${r}.${k1} == ${r}.${k1}`,
];

/** The overlay's outcome in comparable form: the result, or the rejection with names restored. */
function celOutcome(res: InterceptorResponse): string {
  if (!res.continue) return `${res.status.code}: ${unrenamed(res.status.message)}`;
  const value = res.extensions?.["r"];
  return typeof value === "string" ? canonicalText(value) : canonical(value);
}

async function celResult(expression: string, payload: string, root: string): Promise<string> {
  const viaBody = root === "body";
  const req = makeRequest({
    body: viaBody ? payload : "{}",
    extensions: viaBody ? {} : { p: JSON.parse(payload) as unknown },
  });
  const res = await runInterceptor(
    cel,
    { overlays: [{ key: "r", expression }] },
    req,
    makeContext(),
  );
  return celOutcome(res);
}

const bindingTemplates: ((k1: string, k2: string) => string)[] = [
  (k1) => `body.${k1}`,
  (k1, k2) => `body.${k1}.${k2}`,
  (k1) => `body.${k1}[0]`,
  (k1, k2) => `body.${k1}[0].${k2}`,
  (k1) => `body.${k1}[*]`,
  (k1) => `body..${k1}`,
  () => "body.*",
  (k1) => `body.${k1}.*`,
  (k1, k2) => `body.${k1}[?(@.${k2})]`,
  (k1, k2) => `body.${k1}[?(@.${k2} == 'x')]`,
  () => "body",
  (k1, k2) => `extensions.p.${k1}.${k2}`,
];

function bindingResult(path: string, payload: string): string {
  const body: unknown = JSON.parse(payload);
  const result = evaluateExpression(compileExpression(path), {
    body,
    header: {},
    extensions: { p: JSON.parse(payload) as unknown },
    context: { eventID: "e" },
  });
  return result.ok ? canonicalText(result.value) : `error: ${unrenamed(result.error)}`;
}

const pick = fc.constantFrom(...KEYS);

describe("payload keys never change a result (property)", () => {
  it("CEL: the same answer as with the keys renamed", async () => {
    await fc.assert(
      fc.asyncProperty(
        rootArb,
        fc.nat({ max: celTemplates.length - 1 }),
        pick,
        pick,
        fc.constantFrom("body", "extensions.p"),
        async (doc, t, k1, k2, root) => {
          const template = celTemplates[t];
          if (template === undefined) return;
          const got = await celResult(
            template(root, k1, k2),
            text(doc, (k) => k),
            root,
          );
          const want = await celResult(
            template(root, renamed(k1), renamed(k2)),
            text(doc, renamed),
            root,
          );
          expect(got).toBe(want);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("bindings: the same answer as with the keys renamed", () => {
    fc.assert(
      fc.property(
        rootArb,
        fc.nat({ max: bindingTemplates.length - 1 }),
        pick,
        pick,
        (doc, t, k1, k2) => {
          const template = bindingTemplates[t];
          if (template === undefined) return;
          const got = bindingResult(
            template(k1, k2),
            text(doc, (k) => k),
          );
          const want = bindingResult(template(renamed(k1), renamed(k2)), text(doc, renamed));
          expect(got).toBe(want);
        },
      ),
      { numRuns: 400 },
    );
  });
});
