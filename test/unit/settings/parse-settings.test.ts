import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HooklineError } from "../../../src/errors/hookline-error.js";
import { environmentVariables, OPTIONS } from "../../../src/settings/option-definitions.js";
import { parseSettings } from "../../../src/settings/parse-settings.js";
import { SettingProblem } from "../../../src/settings/parse-values.js";
import { readOption } from "../../../src/settings/read-option.js";
import type { Settings } from "../../../src/settings/types.js";
import { ROOT } from "../../support/fixtures.js";

type Env = Record<string, string | undefined>;

const ADMIN_TOKEN = "s3cr3t-admin-token-value";
const TLS_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nnot-really-a-key\n-----END PRIVATE KEY-----";

describe("parseSettings", () => {
  it("gives serve's defaults with no flags and an empty environment", () => {
    expect(parseSettings([], {})).toEqual({
      config: { kind: "dir", dir: "examples/config" },
      sink: { kind: "local", outDir: "./out" },
      store: { kind: "sqlite", path: join("data", "hookline.db") },
      tls: { kind: "none" },
      admin: { addr: { host: "127.0.0.1", port: 9090 }, token: undefined, hosts: [] },
      port: 8080,
      host: undefined,
      maxBodyBytes: 25 * 1024 * 1024,
      bodyBudgetBytes: 64 * 1024 * 1024,
      bodiesPerSource: 8,
      journalMaxBytes: undefined,
      journalFilteredMaxBytes: 256 * 1024 * 1024,
      retentionMs: 7 * 24 * 3600_000,
      tracing: { kind: "off" },
      traceUrl: undefined,
      watchConfig: true,
      reloadDebounceMs: 200,
      logLevel: "info",
      logFormat: undefined,
      secretsDir: undefined,
      interceptorsDir: undefined,
      defaultListener: undefined,
      interceptors: {
        github: { apiUrl: "https://api.github.com", enterpriseHosts: [] },
        gitlab: { apiUrl: undefined },
      },
      kubeconfig: undefined,
      httpAllow: undefined,
      kubeEvents: true,
    } satisfies Settings);
  });

  it.each<{
    name: string;
    argv: string[];
    env?: Env;
    pick: (s: Settings) => unknown;
    want: unknown;
  }>([
    // config: each arm of the union
    {
      name: "config dir",
      argv: ["--config", "cfg"],
      pick: (s) => s.config,
      want: { kind: "dir", dir: "cfg" },
    },
    {
      name: "config cluster",
      argv: ["--config", "kubernetes"],
      pick: (s) => s.config,
      want: { kind: "cluster", allListeners: false },
    },
    {
      name: "config both, all listeners",
      argv: ["--config", "cfg", "--config", "kubernetes", "--all-listeners"],
      pick: (s) => s.config,
      want: { kind: "both", dir: "cfg", allListeners: true },
    },
    // sink
    {
      name: "sink local with --out",
      argv: ["--out", "o"],
      pick: (s) => s.sink,
      want: { kind: "local", outDir: "o" },
    },
    {
      name: "sink kubernetes from env",
      argv: [],
      env: { HOOKLINE_SINK: "kubernetes" },
      pick: (s) => s.sink,
      want: { kind: "kubernetes" },
    },
    // store: the strings HOOKLINE_STORE has always taken
    {
      name: "store memory",
      argv: ["--store", "memory"],
      pick: (s) => s.store,
      want: { kind: "memory" },
    },
    {
      name: "store sqlite path",
      argv: ["--store", "/tmp/j.db"],
      pick: (s) => s.store,
      want: { kind: "sqlite", path: "/tmp/j.db" },
    },
    {
      name: "store sqlite: prefix",
      argv: ["--store", "sqlite:j.db"],
      pick: (s) => s.store,
      want: { kind: "sqlite", path: "j.db" },
    },
    {
      name: "store postgres",
      argv: [],
      env: { HOOKLINE_STORE: "postgresql://u:p@db/h" },
      pick: (s) => s.store,
      want: { kind: "postgres", url: "postgresql://u:p@db/h" },
    },
    {
      name: "store empty env = default",
      argv: [],
      env: { HOOKLINE_STORE: "" },
      pick: (s) => s.store.kind,
      want: "sqlite",
    },
    // TLS
    {
      name: "TLS files",
      argv: [],
      env: { TLS_CERT: "c.pem", TLS_KEY: "k.pem" },
      pick: (s) => s.tls,
      want: { kind: "files", cert: "c.pem", key: "k.pem" },
    },
    {
      name: "TLS key given as a PEM",
      argv: [],
      env: { TLS_CERT: "c.pem", TLS_KEY: TLS_KEY_PEM },
      pick: (s) => s.tls,
      want: { kind: "files", cert: "c.pem", key: TLS_KEY_PEM },
    },
    {
      name: "TLS empty vars = none",
      argv: [],
      env: { TLS_CERT: "", TLS_KEY: "" },
      pick: (s) => s.tls,
      want: { kind: "none" },
    },
    // flag beats env
    {
      name: "--port beats PORT",
      argv: ["--port", "9000"],
      env: { PORT: "7000" },
      pick: (s) => s.port,
      want: 9000,
    },
    { name: "PORT alone", argv: [], env: { PORT: "7000" }, pick: (s) => s.port, want: 7000 },
    {
      name: "--sink beats HOOKLINE_SINK",
      argv: ["--sink", "local"],
      env: { HOOKLINE_SINK: "kubernetes" },
      pick: (s) => s.sink.kind,
      want: "local",
    },
    {
      name: "--admin beats HOOKLINE_ADMIN_ADDR",
      argv: ["--admin", ":9191"],
      env: { HOOKLINE_ADMIN_ADDR: "0.0.0.0:1" },
      pick: (s) => s.admin.addr,
      want: { host: "127.0.0.1", port: 9191 },
    },
    {
      name: "HOOKLINE_JOURNAL_MAX as a size, or none",
      argv: [],
      env: { HOOKLINE_JOURNAL_MAX: "1GiB" },
      pick: (s) => s.journalMaxBytes,
      want: 1024 ** 3,
    },
    {
      name: "HOOKLINE_JOURNAL_MAX none: no cap",
      argv: [],
      env: { HOOKLINE_JOURNAL_MAX: "none" },
      pick: (s) => s.journalMaxBytes,
      want: undefined,
    },
    {
      name: "--max-body beats HOOKLINE_MAX_BODY",
      argv: ["--max-body", "1KiB"],
      env: { HOOKLINE_MAX_BODY: "3MiB" },
      pick: (s) => s.maxBodyBytes,
      want: 1024,
    },
    {
      name: "--retention",
      argv: ["--retention", "12h"],
      pick: (s) => s.retentionMs,
      want: 12 * 3600_000,
    },
    // env-only options
    {
      name: "admin token",
      argv: [],
      env: { HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN },
      pick: (s) => s.admin.token,
      want: ADMIN_TOKEN,
    },
    {
      name: "admin hosts",
      argv: [],
      env: { HOOKLINE_ADMIN_HOSTS: "A.example, .corp" },
      pick: (s) => s.admin.hosts,
      want: ["a.example", ".corp"],
    },
    {
      name: "log level",
      argv: [],
      env: { HOOKLINE_LOG_LEVEL: "debug" },
      pick: (s) => s.logLevel,
      want: "debug",
    },
    {
      name: "log format",
      argv: [],
      env: { HOOKLINE_LOG_FORMAT: "Text" },
      pick: (s) => s.logFormat,
      want: "text",
    },
    {
      name: "default listener",
      argv: [],
      env: { HOOKLINE_LISTENER: "ci/main" },
      pick: (s) => s.defaultListener,
      want: "ci/main",
    },
    {
      name: "kubeconfig",
      argv: [],
      env: { KUBECONFIG: "/a:/b" },
      pick: (s) => s.kubeconfig,
      want: "/a:/b",
    },
    {
      name: "GitHub and GitLab API variables",
      argv: [],
      env: {
        HOOKLINE_GITHUB_API_URL: "http://fake/",
        HOOKLINE_GITHUB_ENTERPRISE_HOSTS: "GHE.example, other",
        HOOKLINE_GITLAB_API_URL: "http://gl",
      },
      pick: (s) => s.interceptors,
      want: {
        github: { apiUrl: "http://fake/", enterpriseHosts: ["ghe.example", "other"] },
        gitlab: { apiUrl: "http://gl" },
      },
    },
    {
      name: "any enterprise host",
      argv: [],
      env: { HOOKLINE_GITHUB_ENTERPRISE_HOSTS: "*" },
      pick: (s) => s.interceptors.github.enterpriseHosts,
      want: "*",
    },
    {
      name: "--interceptors beats the variable",
      argv: ["--interceptors", "p"],
      env: { HOOKLINE_INTERCEPTORS_DIR: "q" },
      pick: (s) => s.interceptorsDir,
      want: "p",
    },
    { name: "--secrets", argv: ["--secrets", "s"], pick: (s) => s.secretsDir, want: "s" },
    {
      name: "the HTTP action allow-list",
      argv: [],
      env: { HOOKLINE_HTTP_ALLOW: "Jenkins.ci.svc, 127.0.0.1:8089,[::1]:80, *.example.com" },
      pick: (s) => s.httpAllow,
      want: ["jenkins.ci.svc", "127.0.0.1:8089", "[::1]:80", "*.example.com"],
    },
  ])("reads $name", ({ argv, env, pick, want }) => {
    expect(pick(parseSettings(argv, env ?? {}))).toEqual(want);
  });

  it.each<{ name: string; argv: string[]; env?: Env; names: string; value?: string }>([
    { name: "a bad --port", argv: ["--port", "http"], names: "--port", value: "http" },
    {
      name: "a port out of range in PORT",
      argv: [],
      env: { PORT: "70000" },
      names: "PORT",
      value: "70000",
    },
    { name: "a bad --sink", argv: ["--sink", "s3"], names: "--sink", value: "s3" },
    {
      name: "a bad HOOKLINE_SINK",
      argv: [],
      env: { HOOKLINE_SINK: "nowhere" },
      names: "HOOKLINE_SINK",
      value: "nowhere",
    },
    { name: "a bad --max-body", argv: ["--max-body", "lots"], names: "--max-body", value: "lots" },
    {
      name: "a bad HOOKLINE_BODY_BUDGET",
      argv: [],
      env: { HOOKLINE_BODY_BUDGET: "lots" },
      names: "HOOKLINE_BODY_BUDGET",
      value: "lots",
    },
    {
      name: "a bad HOOKLINE_JOURNAL_MAX",
      argv: [],
      env: { HOOKLINE_JOURNAL_MAX: "big" },
      names: "HOOKLINE_JOURNAL_MAX",
      value: "big",
    },
    {
      name: "a negative HOOKLINE_BODIES_PER_SOURCE",
      argv: [],
      env: { HOOKLINE_BODIES_PER_SOURCE: "-1" },
      names: "HOOKLINE_BODIES_PER_SOURCE",
      value: "-1",
    },
    {
      name: "a HOOKLINE_BODIES_PER_SOURCE that is not a count",
      argv: [],
      env: { HOOKLINE_BODIES_PER_SOURCE: "8.5" },
      names: "HOOKLINE_BODIES_PER_SOURCE",
      value: "8.5",
    },
    {
      name: "a bad HOOKLINE_RETENTION",
      argv: [],
      env: { HOOKLINE_RETENTION: "forever" },
      names: "HOOKLINE_RETENTION",
      value: "forever",
    },
    { name: "a bad --admin", argv: ["--admin", "::1:9090"], names: "--admin", value: "::1:9090" },
    {
      name: "a bad HOOKLINE_LOG_LEVEL",
      argv: [],
      env: { HOOKLINE_LOG_LEVEL: "loud" },
      names: "HOOKLINE_LOG_LEVEL",
      value: "loud",
    },
    {
      name: "a bad HOOKLINE_LOG_FORMAT",
      argv: [],
      env: { HOOKLINE_LOG_FORMAT: "pretty" },
      names: "HOOKLINE_LOG_FORMAT",
      value: "pretty",
    },
    { name: "two config directories", argv: ["--config", "a", "--config", "b"], names: "--config" },
    {
      name: "--all-listeners without the cluster",
      argv: ["--all-listeners"],
      names: "--all-listeners",
    },
    { name: "TLS_CERT without TLS_KEY", argv: [], env: { TLS_CERT: "c.pem" }, names: "TLS_KEY" },
    {
      name: "TLS_KEY without TLS_CERT",
      argv: [],
      env: { TLS_KEY: TLS_KEY_PEM },
      names: "TLS_CERT",
    },
    {
      name: "a URL in HOOKLINE_HTTP_ALLOW",
      argv: [],
      env: { HOOKLINE_HTTP_ALLOW: "jenkins.ci.svc,https://jenkins.example.com/" },
      names: "HOOKLINE_HTTP_ALLOW",
    },
    { name: "an unknown flag", argv: ["--prot", "1"], names: "--prot" },
    { name: "a positional", argv: ["cfg"], names: "cfg" },
  ])("refuses $name, naming it", ({ argv, env, names, value }) => {
    const err = catchError(() => parseSettings(argv, env ?? {}));
    expect(err).toBeInstanceOf(HooklineError);
    expect(err).toMatchObject({ code: "HL_SETTINGS_INVALID" });
    expect(err.message).toContain(names);
    if (value !== undefined) expect(err.message).toContain(`"${value}"`);
  });

  it("never shows the admin token or a TLS key given as a PEM", () => {
    const env = {
      HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN,
      TLS_CERT: "c.pem",
      TLS_KEY: TLS_KEY_PEM,
      PORT: "nope",
    };
    const err = catchError(() => parseSettings([], env));
    expect(err.message).toContain("PORT");
    expect(
      JSON.stringify({ message: err.message, details: (err as HooklineError).details }),
    ).not.toMatch(/s3cr3t|PRIVATE KEY/);
    const tls = catchError(() => parseSettings([], { TLS_KEY: TLS_KEY_PEM }));
    expect(tls.message).not.toContain("PRIVATE KEY");
  });

  it("names a refused secret's variable but never its value", () => {
    // No parser refuses an admin token today: give the table's entry one that does.
    const refusing = {
      ...OPTIONS.adminToken,
      parse: (): string => {
        throw new SettingProblem("use something else");
      },
    };
    const err = catchError(() => readOption(refusing, {}, { HOOKLINE_ADMIN_TOKEN: ADMIN_TOKEN }));
    expect(err).toMatchObject({ code: "HL_SETTINGS_INVALID" });
    expect(err.message).toContain("HOOKLINE_ADMIN_TOKEN");
    expect(err.message).not.toContain(ADMIN_TOKEN);
  });
});

describe("the option table", () => {
  it("has one entry per flag and per variable", () => {
    const flags = Object.values(OPTIONS).flatMap((o) => (o.flag === undefined ? [] : [o.flag]));
    expect(new Set(flags).size).toBe(flags.length);
    const vars = environmentVariables();
    expect(new Set(vars).size).toBe(vars.length);
  });

  it("documents every variable in the README's environment table", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const name of environmentVariables()) expect(readme).toContain(`\`${name}\``);
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error("test bug: expected a throw");
}
