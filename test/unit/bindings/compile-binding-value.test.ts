import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  compileBindingValue,
  compileExpression,
  type ValuePart,
} from "../../../src/bindings/index.js";

function shape(parts: readonly ValuePart[]): string[] {
  return parts.map((part) =>
    part.kind === "text" ? `text:${part.text}` : `expr:${part.expression.path}`,
  );
}

describe("compileBindingValue", () => {
  it.each([
    {
      name: "one expression",
      value: "$(body.head_commit.id)",
      want: ["expr:{.body.head_commit.id}"],
    },
    { name: "static text only", value: "just text", want: ["text:just text"] },
    { name: "a lone $ stays text", value: "cost: $5 (approx)", want: ["text:cost: $5 (approx)"] },
    {
      name: "several expressions with text around",
      value: "foo: $(body.a); bar: $(body.b)!",
      want: ["text:foo: ", "expr:{.body.a}", "text:; bar: ", "expr:{.body.b}", "text:!"],
    },
    {
      name: "a filter's parentheses stay inside the expression",
      value: "$(body.a[?(@.x == 'y')].z) tail)",
      want: ["expr:{.body.a[?(@.x == 'y')].z}", "text: tail)"],
    },
    {
      name: "header names are canonicalised",
      value: "$(header.x-github-event)",
      want: ["expr:{.header.X-Github-Event}"],
    },
    {
      name: "a header with an index keeps Go's invalid-name rule",
      value: "$(header.x-a[0])",
      want: ["expr:{.header.x-a[0]}"],
    },
    { name: "relaxed {.body.a}", value: "$({.body.a})", want: ["expr:{.body.a}"] },
    { name: "relaxed .body.a", value: "$(.body.a)", want: ["expr:{.body.a}"] },
    { name: "relaxed {body.a}", value: "$({body.a})", want: ["expr:{.body.a}"] },
    // Tekton's expression pattern needs a ")": a "$(" with none after it is text.
    { name: "an unclosed $( is text", value: "x-$(body", want: ["text:x-$(body"] },
    { name: "an unclosed $( alone is text", value: "$(body.a", want: ["text:$(body.a"] },
    {
      name: "an unclosed $( after a good one is text",
      value: "$(body.a) and $(body.b",
      want: ["expr:{.body.a}", "text: and $(body.b"],
    },
  ])("$name", ({ value, want }) => {
    const compiled = compileBindingValue(value);
    expect(compiled.source).toBe(value);
    expect(shape(compiled.parts)).toEqual(want);
  });

  it.each([
    {
      name: "an unbalanced $( before a )",
      value: "$(body.a $(body.b)",
      error: /unbalanced "\$\("/,
    },
    { name: "an unclosed filter", value: "$(body.a[?(@.x == 'y'])", error: /unbalanced|filter/ },
    { name: "an empty expression", value: "$()", error: /empty expression/ },
    { name: "braces inside", value: "$(body.{a})", error: /unexpected path string/ },
    { name: "an unterminated bracket", value: "$(header.[)", error: /unterminated array/ },
    { name: "a bad index", value: "$(body.a[x])", error: /invalid array index x/ },
    { name: "a double-quoted key", value: '$(body.a["k"])', error: /invalid array index/ },
    {
      name: "an unknown filter operator",
      value: "$(body.a[?(@.x =~ 'y')])",
      error: /unrecognized filter operator =~/,
    },
    {
      name: "a bare word after a space",
      value: "$(body.with space)",
      error: /unsupported identifier "space"/,
    },
    { name: "a literal where a path belongs", value: "$(body.a 'x')", error: /unexpected literal/ },
    {
      name: "a stray character",
      value: "$(body.a[0]#)",
      error: /unrecognized character in action: U\+0023/,
    },
    {
      name: "double recursive descent",
      value: "$(body....a)",
      error: /multiple recursive descent/,
    },
  ])("rejects $name", ({ value, error }) => {
    expect(() => compileBindingValue(value)).toThrow(error);
  });

  it("marks field and index chains as simple, the rest not", () => {
    expect(compileExpression("body.repository.clone_url").simple).toBe(true);
    expect(compileExpression("body.commits[0].id").simple).toBe(true);
    expect(compileExpression("body.commits[-1].id").simple).toBe(true);
    expect(compileExpression("body.commits[0:2]").simple).toBe(false);
    expect(compileExpression("body.commits[?(@.id)]").simple).toBe(false);
    expect(compileExpression("body..id").simple).toBe(false);
  });

  it("keeps backslash-escaped characters in one field name", () => {
    const steps = compileExpression("body.dev\\.tekton\\.dev\\/foo").steps;
    expect(steps).toEqual([
      { kind: "field", name: "body" },
      { kind: "field", name: "dev.tekton.dev/foo" },
    ]);
  });
});

// Every binding-style value in Tekton's own examples must compile (read relative to the repo root).
const examplesDir = join(process.cwd(), "..", "shared", "tekton-examples");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

function exampleValues(): { file: string; value: string }[] {
  const out: { file: string; value: string }[] = [];
  for (const file of yamlFiles(examplesDir)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const match = /^\s*(?:-\s+)?value:\s*(.*\$\(.*)$/.exec(line);
      if (!match) continue;
      const value: unknown = parse(match[1] ?? "");
      if (typeof value === "string") out.push({ file: file.slice(examplesDir.length + 1), value });
    }
  }
  return out;
}

describe.skipIf(!existsSync(examplesDir))(
  "Tekton examples (skipped: ../shared/tekton-examples is missing)",
  () => {
    const values = existsSync(examplesDir) ? exampleValues() : [];

    it("finds binding values to check", () => {
      expect(values.length).toBeGreaterThan(20);
    });

    it.each(values.map((v) => ({ name: `${v.file}: ${v.value}`, value: v.value })))(
      "compiles $name",
      ({ value }) => {
        const compiled = compileBindingValue(value);
        expect(compiled.parts.some((part) => part.kind === "expression")).toBe(true);
      },
    );
  },
);
