import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { fakeIo } from "../../support/fake-io.js";
import { EXAMPLE_CONFIG } from "../../support/fixtures.js";
import { writeConfigDir } from "../../support/test-app.js";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await writeConfigDir(files);
  dirs.push(dir);
  return dir;
}

interface RunResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `main(argv)` with a fake io: what it wrote, and an empty environment. */
async function run(argv: string[]): Promise<RunResult> {
  const io = fakeIo();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const lines = (s: string): string[] => s.split("\n").filter((l) => l !== "");

/** 1-based line and column of `needle` in `text`. */
function at(text: string, needle: string): { line: number; column: number } {
  const idx = text.indexOf(needle);
  if (idx < 0) throw new Error(`test bug: ${needle} not in text`);
  const before = text.slice(0, idx);
  return { line: before.split("\n").length, column: idx - before.lastIndexOf("\n") };
}

/** How the CLI names a file: relative to the current directory. */
const shown = (dir: string, file: string): string => relative(process.cwd(), join(dir, file));

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ---------------------------------------------------------------------------------------------
// Config texts
// ---------------------------------------------------------------------------------------------

const LISTENER = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: push
      bindings:
        - ref: tb
      template:
        ref: tt
`;
const BINDING = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
spec:
  params:
    - name: revision
      value: $(body.after)
`;
const TEMPLATE = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: revision
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: run-
      data:
        revision: $(tt.params.revision)
`;
const VALID = { "el.yaml": LISTENER, "tb.yaml": BINDING, "tt.yaml": TEMPLATE };

// ---------------------------------------------------------------------------------------------
// hookline validate
// ---------------------------------------------------------------------------------------------

describe("hookline validate", () => {
  it("a valid directory → exit 0 and a one-line summary on stdout, nothing on stderr", async () => {
    const dir = await configDir(VALID);
    const r = await run(["validate", dir]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(lines(r.out)).toHaveLength(1);
    expect(r.out.endsWith("\n")).toBe(true);
    expect(r.out).toContain(dir);
    expect(r.out).toMatch(/1 EventListener/);
    expect(r.out).toMatch(/1 trigger/);
  });

  it("the shipped example config validates", async () => {
    const r = await run(["validate", EXAMPLE_CONFIG]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(lines(r.out)).toHaveLength(1);
  });

  it("skipped kinds are notes, not errors: exit 0", async () => {
    const dir = await configDir({
      ...VALID,
      "task.yaml":
        "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec: {steps: []}\n",
    });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(lines(r.out).at(-1)).toContain(dir);
  });

  it("a warning only (a duplicate object) → exit 0, the warning on stderr", async () => {
    const dir = await configDir({ ...VALID, "tb2.yaml": BINDING });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(shown(dir, "tb2.yaml"));
    expect(lines(r.out)).toHaveLength(1);
  });

  it("an eventTypes entry GitHub or GitLab never sends → a warning at its file:line:col with a suggestion, exit 0", async () => {
    const listener = LISTENER.replace(
      "      bindings:",
      `      interceptors:
        - ref: {name: github}
          params:
            - name: eventTypes
              value: [push, pull-request]
        - ref: {name: gitlab}
          params:
            - name: eventTypes
              value: ["push hook", Merge Request Hook, nonsense]
      bindings:`,
    );
    const dir = await configDir({ ...VALID, "el.yaml": listener });
    const r = await run(["validate", dir]);
    expect(r.code, r.err).toBe(0);
    const pr = at(listener, "pull-request");
    const ph = at(listener, '"push hook"');
    const nonsense = at(listener, "nonsense");
    const file = shown(dir, "el.yaml");
    expect(lines(r.err)).toEqual([
      `${file}:${pr.line}:${pr.column} spec.triggers[0].interceptors[0].params[0].value[1]: "pull-request" is not an event GitHub sends (X-GitHub-Event), so this trigger never applies; did you mean "pull_request"? (warning)`,
      `${file}:${ph.line}:${ph.column} spec.triggers[0].interceptors[1].params[0].value[0]: "push hook" is not an event GitLab sends (X-Gitlab-Event), so this trigger never applies; did you mean "Push Hook"? (warning)`,
      `${file}:${nonsense.line}:${nonsense.column} spec.triggers[0].interceptors[1].params[0].value[2]: "nonsense" is not an event GitLab sends (X-Gitlab-Event), so this trigger never applies (warning)`,
    ]);
    expect(r.out).toMatch(/valid .*3 warning/);
  });

  it("a broken file → exit 1 and `file:line:col field: message` lines on stderr naming the file and field", async () => {
    const broken = LISTENER.replace("      bindings:", "      bindingz:");
    const dir = await configDir({ ...VALID, "el.yaml": broken });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(1);
    const { line, column } = at(broken, "bindingz");
    const prefix = `${shown(dir, "el.yaml")}:${line}:${column} spec.triggers[0].bindingz: `;
    const errLines = lines(r.err);
    expect(
      errLines.some((l) => l.startsWith(prefix)),
      r.err,
    ).toBe(true);
    // Every issue line has the shape file:line:col field: message.
    const issueLines = errLines.filter((l) => /^\S+:\d+:\d+ /.test(l));
    expect(issueLines.length).toBeGreaterThanOrEqual(1);
    for (const l of issueLines) expect(l).toMatch(/^\S+\.ya?ml:\d+:\d+ \S+: \S/);
  });

  it("a bad CEL filter → exit 1 with the column inside the expression", async () => {
    const listener = LISTENER.replace(
      "      bindings:",
      `      interceptors:
        - ref:
            name: cel
          params:
            - name: filter
              value: "body.ref == 'x' &&& true"
      bindings:`,
    );
    const dir = await configDir({ ...VALID, "el.yaml": listener });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(1);
    const start = at(listener, `"body.ref`);
    const column = start.column + 1 + "body.ref == 'x' &&".length;
    expect(r.err).toContain(
      `${shown(dir, "el.yaml")}:${start.line}:${column} spec.triggers[0].interceptors[0].params[0].value: `,
    );
  });

  it("every error is printed: three broken files → three issue lines", async () => {
    const dir = await configDir({
      "el.yaml": LISTENER.replace("      bindings:", "      bindingz:"),
      "tb.yaml": BINDING.replace("value: $(body.after)", "value: 7"),
      "tt.yaml": TEMPLATE.replace("$(tt.params.revision)", "$(tt.params.nope)"),
    });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(1);
    for (const [file, field] of [
      ["el.yaml", "spec.triggers[0].bindingz"],
      ["tb.yaml", "spec.params[0].value"],
      ["tt.yaml", "spec.resourcetemplates[0].data.revision"],
    ] as const) {
      expect(r.err).toMatch(
        new RegExp(`^${escape(shown(dir, file))}:\\d+:\\d+ ${escape(field)}: `, "m"),
      );
    }
  });

  it("a reference error only → exit 1 too, naming the reference's place", async () => {
    const dir = await configDir({ "el.yaml": LISTENER, "tt.yaml": TEMPLATE });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(1);
    const { line } = at(LISTENER, "ref: tb");
    expect(r.err).toMatch(
      new RegExp(
        `^${escape(shown(dir, "el.yaml"))}:${line}:\\d+ spec\\.triggers\\[0\\]\\.bindings\\[0\\]\\.ref: TriggerBinding "tb" not found`,
        "m",
      ),
    );
    expect(r.out).not.toMatch(/valid/);
  });

  it("a secret value never appears in validate's output", async () => {
    const dir = await configDir({
      ...VALID,
      "secret.yaml":
        'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  token: "Sup3r$ecret!"\n',
    });
    const r = await run(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(shown(dir, "secret.yaml"));
    expect(r.out + r.err).not.toContain("Sup3r$ecret!");
  });

  it("a missing directory → exit 1 with a clear message naming it", async () => {
    const missing = join(tmpdir(), "hookline-no-such-config-dir");
    const r = await run(["validate", missing]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("hookline-no-such-config-dir");
    expect(r.err).toMatch(/no such directory|does not exist|not found/i);
    expect(r.out).toBe("");
  });

  it.each([
    { name: "no directory", argv: ["validate"] },
    { name: "two directories", argv: ["validate", "a", "b"] },
  ])("$name → exit 2 and usage on stderr", async ({ argv }) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage: hookline validate DIR/i);
    expect(r.out).toBe("");
  });
});

describe("hookline (no command / unknown command)", () => {
  it.each([
    { name: "no command", argv: [], code: 2 },
    { name: "help", argv: ["help"], code: 0 },
    { name: "an unknown command", argv: ["frobnicate"], code: 2 },
  ])("$name → exit $code with the usage", async ({ argv, code }) => {
    const r = await run(argv);
    expect(r.code).toBe(code);
    expect(r.out + r.err).toContain("hookline validate DIR");
  });
});

// ---------------------------------------------------------------------------------------------
// hookline sign
// ---------------------------------------------------------------------------------------------

describe("hookline sign", () => {
  const secret = "s3cr3t-for-signing";

  async function payloadFile(body: string): Promise<{ dir: string; file: string }> {
    const dir = await mkdtemp(join(tmpdir(), "hookline-sign-"));
    dirs.push(dir);
    const file = join(dir, "payload.json");
    await writeFile(file, body);
    return { dir, file };
  }

  const hmac = (body: string | Buffer, key: string): string =>
    createHmac("sha256", key).update(body).digest("hex");

  it("prints X-Hub-Signature-256: sha256=<hex> over the file's exact bytes, and never the secret", async () => {
    const body = '{"ref":"refs/heads/main", "after": "abc"}\n';
    const { file } = await payloadFile(body);
    const r = await run(["sign", "--secret", secret, file]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toBe(`X-Hub-Signature-256: sha256=${hmac(body, secret)}\n`);
    expect(r.out + r.err).not.toContain(secret);
  });

  it("--secret-file reads the secret without its trailing newline", async () => {
    const body = '{"zen":"Keep it logically awesome."}';
    const { dir, file } = await payloadFile(body);
    const secretFile = join(dir, "secret");
    await writeFile(secretFile, `${secret}\n`);
    const r = await run(["sign", "--secret-file", secretFile, file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`X-Hub-Signature-256: sha256=${hmac(body, secret)}\n`);
    expect(r.out + r.err).not.toContain(secret);
  });

  it("--scheme bitbucket prints X-Hub-Signature: sha256=<hex>", async () => {
    const body = '{"push":{}}';
    const { file } = await payloadFile(body);
    const r = await run(["sign", "--secret", secret, "--scheme", "bitbucket", file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`X-Hub-Signature: sha256=${hmac(body, secret)}\n`);
  });

  it.each([
    { name: "no payload file", argv: ["sign", "--secret", secret] },
    { name: "no secret", argv: ["sign", "payload.json"] },
    {
      name: "both --secret and --secret-file",
      argv: ["sign", "--secret", secret, "--secret-file", "f", "payload.json"],
    },
    {
      name: "an unknown scheme",
      argv: ["sign", "--secret", secret, "--scheme", "gitea", "payload.json"],
    },
  ])("$name → exit 2 with the usage, and no secret printed", async ({ argv }) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage/i);
    expect(r.out + r.err).not.toContain(secret);
  });

  it("a missing payload file → exit 1, and the secret is not printed", async () => {
    const r = await run([
      "sign",
      "--secret",
      secret,
      join(tmpdir(), "hookline-no-such-payload.json"),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("hookline-no-such-payload.json");
    expect(r.out + r.err).not.toContain(secret);
  });
});
