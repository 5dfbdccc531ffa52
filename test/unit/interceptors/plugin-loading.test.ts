import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { fakeIo } from "../../support/fake-io.js";
import { formatIssue, loadConfigDir } from "../../../src/config/load-config.js";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { createInterceptorRegistry } from "../../../src/interceptors/plugins/create-interceptor-registry.js";
import { loadPlugins } from "../../../src/interceptors/plugins/load-plugins.js";
import { ROOT } from "../../support/fixtures.js";
import { createTestApp, writeConfigDir } from "../../support/test-app.js";

const EXAMPLE_PLUGINS = join(ROOT, "examples/plugins");

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A plug-ins directory: folder name → index.js text (undefined: a folder without index.js). */
async function pluginsDir(plugins: Record<string, string | undefined>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hookline-plugins-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(plugins)) {
    await mkdir(join(dir, name));
    if (text !== undefined) await writeFile(join(dir, name, "index.js"), text);
  }
  return dir;
}

const OK_PLUGIN = (name: string): string => `export default {
  name: ${JSON.stringify(name)},
  parseParams: (p) => p,
  process: () => ({ continue: true }),
};`;

async function configDir(text: string): Promise<string> {
  const dir = await writeConfigDir({ "listener.yaml": text });
  dirs.push(dir);
  return dir;
}

function listener(interceptor: string): string {
  return `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: branches
spec:
  triggers:
    - name: main-only
      interceptors:
${interceptor
  .trim()
  .split("\n")
  .map((l) => `        ${l}`)
  .join("\n")}
      bindings:
        - {name: branch, value: "$(extensions.branch)"}
      template:
        spec:
          params:
            - name: branch
          resourcetemplates:
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                generateName: branch-
              data:
                branch: $(tt.params.branch)
`;
}

describe("loadPlugins", () => {
  it("loads the example branch-filter plug-in", async () => {
    const plugins = await loadPlugins(EXAMPLE_PLUGINS);
    expect(plugins.map((p) => p.interceptor.name)).toEqual(["branch-filter"]);
  });

  it("takes the only named export when there is no default", async () => {
    const dir = await pluginsDir({
      named: `export const mine = { name: "mine", parseParams: () => ({}), process: () => ({ continue: true }) };`,
    });
    expect((await loadPlugins(dir)).map((p) => p.interceptor.name)).toEqual(["mine"]);
  });

  it("skips dot-folders and stray files", async () => {
    const dir = await pluginsDir({ ".git": undefined, good: OK_PLUGIN("good") });
    await writeFile(join(dir, "README.md"), "not a plug-in");
    expect((await loadPlugins(dir)).map((p) => p.interceptor.name)).toEqual(["good"]);
  });

  it.each([
    {
      name: "a folder without index.js",
      plugins: { empty: undefined },
      reason: /empty: no index\.js/,
    },
    {
      name: "an index.js that does not parse",
      plugins: { broken: "export default {" },
      reason: /broken[/\\]index\.js: cannot be imported/,
    },
    {
      name: "an index.js that throws",
      plugins: { throws: 'throw new Error("boom at load");' },
      reason: /cannot be imported: boom at load/,
    },
    {
      name: "an export that is not an interceptor",
      plugins: { shape: 'export default { name: "shape", process() {} };' },
      reason: /the interceptor has no parseParams \(a function\)/,
    },
    {
      name: "several exports and no default",
      plugins: { many: "export const a = 1; export const b = 2;" },
      reason: /exports a, b; export the interceptor as the default export/,
    },
    {
      name: "a core interceptor's name",
      plugins: { mygithub: OK_PLUGIN("github") },
      reason: /the name "github" belongs to a core interceptor/,
    },
    {
      name: "a name that is not a Kubernetes name",
      plugins: { upper: OK_PLUGIN("Branch_Filter") },
      reason: /invalid name "Branch_Filter"/,
    },
    {
      name: "the same name twice",
      plugins: { one: OK_PLUGIN("twin"), two: OK_PLUGIN("twin") },
      reason: /two[/\\]index\.js: the name "twin" is taken by .*one[/\\]index\.js/,
    },
  ])("refuses $name with a clear HL_CONFIG_INVALID error", async ({ plugins, reason }) => {
    const dir = await pluginsDir(plugins);
    const err = await loadPlugins(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HooklineError);
    expect((err as HooklineError).code).toBe("HL_CONFIG_INVALID");
    expect((err as HooklineError).message).toMatch(reason);
  });

  it("lists every broken plug-in in one error", async () => {
    const dir = await pluginsDir({ a: undefined, b: OK_PLUGIN("cel"), c: OK_PLUGIN("fine") });
    const err = (await loadPlugins(dir).catch((e: unknown) => e)) as HooklineError;
    expect(err.message).toMatch(/^2 plug-ins in .* could not be loaded/);
  });

  it("refuses a directory that does not exist", async () => {
    await expect(loadPlugins(join(tmpdir(), "no-such-hookline-plugins"))).rejects.toMatchObject({
      code: "HL_CONFIG_INVALID",
      message: expect.stringMatching(/no such directory/) as unknown,
    });
  });

  it("keeps hookline's other built-in names too", async () => {
    const registry = await createInterceptorRegistry(undefined);
    const builtin = registry
      .names()
      .find((n) => !["github", "gitlab", "bitbucket", "slack", "cel"].includes(n));
    // hmac and standard-webhooks are built in beside the five core names.
    if (builtin === undefined) throw new Error("test bug: no built-in beyond the core names");
    const dir = await pluginsDir({ clash: OK_PLUGIN(builtin) });
    await expect(createInterceptorRegistry(dir)).rejects.toMatchObject({
      code: "HL_CONFIG_INVALID",
      message: expect.stringMatching(/belongs to a built-in interceptor/) as unknown,
    });
  });
});

describe("plug-ins in a config", () => {
  it("compiles a plug-in's params at load, by ref name as for a ClusterInterceptor", async () => {
    const registry = await createInterceptorRegistry(EXAMPLE_PLUGINS);
    const dir = await configDir(
      listener(`- ref: {name: branch-filter}
  params:
    - {name: allow, value: [main, "release/*"]}`),
    );
    const config = await loadConfigDir(dir, { registry, relativeTo: dir });
    expect(config.issues.filter((i) => i.severity !== "note")).toEqual([]);
    const plan = config.listeners[0]?.triggers[0]?.plan;
    expect(plan).toMatchObject({
      kind: "plan",
      interceptors: [{ kind: "builtin", name: "branch-filter" }],
    });
  });

  it.each([
    {
      name: "a wrong param type",
      params: "- {name: allow, value: main}",
      issue:
        "listener.yaml:11:36 spec.triggers[0].interceptors[0].params[0].value: allow must be a list of branch globs",
    },
    {
      name: "a bad list item",
      params: '- {name: deny, value: [ok, ""]}',
      issue:
        "listener.yaml:11:40 spec.triggers[0].interceptors[0].params[0].value[1]: deny[1] must be a non-empty string",
    },
    {
      name: "an unknown param",
      params: "- {name: branches, value: [main]}",
      issue:
        'listener.yaml:11:39 spec.triggers[0].interceptors[0].params[0].value: unknown param "branches"; expected allow or deny',
    },
  ])("reports $name as a config error with file:line:field", async ({ params, issue }) => {
    const registry = await createInterceptorRegistry(EXAMPLE_PLUGINS);
    const dir = await configDir(
      listener(`- ref: {name: branch-filter}
  params:
    ${params}`),
    );
    const config = await loadConfigDir(dir, { registry, relativeTo: dir });
    const errors = config.issues.filter((i) => i.severity === "error");
    expect(errors.map((i) => formatIssue(i))).toEqual([expect.stringContaining(issue)]);
    expect(errors[0]).toMatchObject({ class: "document", code: "HL_CONFIG_INVALID" });
  });

  it("points at the interceptor when a needed param is missing altogether", async () => {
    const registry = await createInterceptorRegistry(EXAMPLE_PLUGINS);
    const dir = await configDir(listener("- ref: {name: branch-filter}"));
    const config = await loadConfigDir(dir, { registry, relativeTo: dir });
    expect(config.issues.filter((i) => i.severity === "error").map((i) => formatIssue(i))).toEqual([
      expect.stringMatching(
        /^listener\.yaml:9:11 spec\.triggers\[0\]\.interceptors\[0\]\.params: give allow, deny or both/,
      ),
    ]);
  });

  it("without the plug-in loaded, the ref is a reference error, as for a missing ClusterInterceptor", async () => {
    const registry = await createInterceptorRegistry(undefined);
    const dir = await configDir(listener("- ref: {name: branch-filter}"));
    const config = await loadConfigDir(dir, { registry, relativeTo: dir });
    expect(config.issues.filter((i) => i.severity === "error")).toEqual([
      expect.objectContaining({
        class: "reference",
        message: expect.stringMatching(/branch-filter/) as unknown,
      }),
    ]);
  });

  it("turns any other error from parseParams into a config error, not a crash", async () => {
    const plugins = await pluginsDir({
      picky: `export default {
  name: "picky",
  parseParams() { throw new TypeError("cannot read that"); },
  process: () => ({ continue: true }),
};`,
    });
    const registry = await createInterceptorRegistry(plugins);
    const dir = await configDir(
      listener("- ref: {name: picky}\n  params:\n    - {name: x, value: 1}"),
    );
    const config = await loadConfigDir(dir, { registry, relativeTo: dir });
    expect(config.issues.filter((i) => i.severity === "error").map((i) => i.message)).toEqual([
      "the picky plug-in refused its params: cannot read that",
    ]);
  });
});

describe("plug-ins at request time", () => {
  it("runs the example branch-filter plug-in: allowed branches fire with extensions.branch, others are filtered", async () => {
    const dir = await configDir(
      listener(`- ref: {name: branch-filter}
  params:
    - {name: allow, value: [main, "release/**"]}
    - {name: deny, value: ["release/old/*"]}`),
    );
    const app = await createTestApp(dir, { interceptorsDir: EXAMPLE_PLUGINS });
    try {
      const send = async (body: unknown): Promise<unknown> => {
        const res = await request(app.server)
          .post("/")
          .set("Content-Type", "application/json")
          .set("X-GitHub-Event", "push")
          .send(JSON.stringify(body));
        const event = await app.journal.getEvent((res.body as { eventID: string }).eventID);
        return event?.traces[0]?.outcome;
      };
      expect(await send({ ref: "refs/heads/main" })).toMatchObject({ kind: "fired" });
      expect(await send({ ref: "refs/heads/release/v1/hotfix" })).toMatchObject({ kind: "fired" });
      expect(await send({ pull_request: { base: { ref: "feature/x" } } })).toMatchObject({
        kind: "filtered",
        interceptor: "branch-filter",
        code: "FAILED_PRECONDITION",
        message: 'branch "feature/x" matches no allow pattern (main, release/**)',
      });
      expect(await send({ ref: "refs/heads/release/old/1" })).toMatchObject({
        kind: "filtered",
        message: 'branch "release/old/1" matches deny pattern "release/old/*"',
      });
      const written = await app.written();
      expect(written.map((w) => w.resource["data"])).toEqual(
        expect.arrayContaining([{ branch: "main" }, { branch: "release/v1/hotfix" }]),
      );
    } finally {
      await app.close();
    }
  });

  it("fails the trigger with a clear reason when a plug-in answers something that is not an InterceptorResponse", async () => {
    const plugins = await pluginsDir({
      sloppy: `export default { name: "sloppy", parseParams: () => ({}), process: () => ({ ok: true }) };`,
    });
    const dir = await configDir(listener("- ref: {name: sloppy}"));
    const app = await createTestApp(dir, { interceptorsDir: plugins });
    try {
      const res = await request(app.server)
        .post("/")
        .set("Content-Type", "application/json")
        .send(JSON.stringify({ ref: "refs/heads/main" }));
      const event = await app.journal.getEvent((res.body as { eventID: string }).eventID);
      expect(event?.traces[0]?.outcome).toMatchObject({
        kind: "failed",
        message: expect.stringMatching(
          /sloppy plug-in .* not an InterceptorResponse: continue is not true or false/,
        ) as unknown,
      });
    } finally {
      await app.close();
    }
  });
});

describe("hookline validate --interceptors", () => {
  it("validates a config that uses a plug-in, and exits 1 listing a broken plug-in", async () => {
    const { main } = await import("../../../src/cli/main.js");
    const dir = await configDir(
      listener("- ref: {name: branch-filter}\n  params:\n    - {name: allow, value: [main]}"),
    );
    const broken = await pluginsDir({ nothing: undefined });
    const io = fakeIo();
    expect(await main(["validate", dir, "--interceptors", EXAMPLE_PLUGINS], io)).toBe(0);
    expect(await main(["validate", dir], io)).toBe(1);
    expect(await main(["validate", dir, "--interceptors", broken], io)).toBe(1);
    const out = io.out() + io.err();
    expect(out).toMatch(/valid — 1 EventListener/);
    expect(out).toMatch(/nothing: no index\.js/);
  });
});
