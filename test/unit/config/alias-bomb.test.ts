import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";
import { formatIssue, hasDocumentErrors, loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Nine levels of nine aliases each: 9^9 (≈ 387 million) strings once expanded. */
function laughs(indent: string): string {
  const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
  return levels
    .map((name, i) => {
      const prev = levels[i - 1];
      const items = prev === undefined ? Array(9).fill('"lol"') : Array(9).fill(`*${prev}`);
      return `${indent}${name}: &${name} [${items.join(", ")}]`;
    })
    .join("\n");
}

const TEMPLATE_BOMB = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: bomb
spec:
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: bomb-
      data:
${laughs("        ")}
`;

const LISTENER_BOMB = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: t
      interceptors:
        - ref: { name: cel }
          params:
            - name: overlays
              value:
${laughs("                ")}
      template:
        ref: tt
`;

/** 1-based line and column of `needle` in `text`. */
function at(text: string, needle: string): string {
  const idx = text.indexOf(needle);
  const before = text.slice(0, idx);
  return `${before.split("\n").length}:${idx - before.lastIndexOf("\n")}`;
}

async function dir(files: Record<string, string>): Promise<string> {
  const d = await writeConfigDir(files);
  dirs.push(d);
  return d;
}

describe("YAML alias bombs", () => {
  it.each([
    { name: "in a resource template", file: "tt.yaml", text: TEMPLATE_BOMB },
    { name: "in an interceptor param", file: "el.yaml", text: LISTENER_BOMB },
  ])("$name: a document error at file:line:col, not a crash", async ({ file, text }) => {
    const d = await dir({ [file]: text });
    const config = await loadConfigDir(d, { registry: createBuiltinRegistry(), relativeTo: d });
    expect(hasDocumentErrors(config.issues)).toBe(true);
    const bomb = config.issues.find((i) => i.message.includes("too many YAML aliases"));
    expect(bomb?.code).toBe("HL_CONFIG_INVALID");
    // It points at the first alias of the expansion.
    expect(bomb === undefined ? "none" : formatIssue(bomb)).toMatch(
      new RegExp(`^${file.replace(".", "\\.")}:${at(text, "*a")} `),
    );
  });

  it("validate exits 1 and names the file, with no stack trace", async () => {
    const d = await dir({ "bomb.yaml": TEMPLATE_BOMB });
    const io = fakeIo();
    const code = await main(["validate", d], io);
    const err = io.err();
    expect(code).toBe(1);
    expect(err).toMatch(
      new RegExp(
        `bomb\\.yaml:${at(TEMPLATE_BOMB, "*a")} spec\\.resourcetemplates\\[0\\]: too many YAML aliases`,
      ),
    );
    expect(err).not.toContain("ReferenceError");
  });
});
