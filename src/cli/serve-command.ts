import { parseArgs } from "node:util";
import { parseAllowedHosts } from "../admin/check-host.js";
import { parseSize } from "../intake/read-body.js";
import { createLogger } from "../log/logger.js";
import { DEFAULT_MAX_BODY, serve } from "../main.js";

export async function runServe(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        // A directory, `kubernetes` (the cluster's triggers.tekton.dev resources), or both.
        config: { type: "string", multiple: true, default: ["examples/config"] },
        "all-listeners": { type: "boolean", default: false },
        port: { type: "string" },
        out: { type: "string", default: "./out" },
        sink: { type: "string" },
        secrets: { type: "string" },
        "max-body": { type: "string" },
        host: { type: "string" },
        store: { type: "string" },
        retention: { type: "string" },
        interceptors: { type: "string" },
        admin: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`hookline serve: ${(err as Error).message}\n`);
    return 2;
  }
  const env = process.env;
  const portText = values.port ?? env["PORT"] ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`hookline serve: invalid port "${portText}"\n`);
    return 2;
  }
  let maxBodyBytes = DEFAULT_MAX_BODY;
  const maxBodyText = values["max-body"] ?? env["HOOKLINE_MAX_BODY"];
  if (maxBodyText !== undefined) {
    try {
      maxBodyBytes = parseSize(maxBodyText);
    } catch (err) {
      process.stderr.write(`hookline serve: ${(err as Error).message}\n`);
      return 2;
    }
  }
  let bodyBudgetBytes: number | undefined;
  let bodiesPerSource: number | undefined;
  try {
    const budgetText = env["HOOKLINE_BODY_BUDGET"];
    if (budgetText !== undefined && budgetText !== "") bodyBudgetBytes = parseSize(budgetText);
    const perSourceText = env["HOOKLINE_BODIES_PER_SOURCE"];
    if (perSourceText !== undefined && perSourceText !== "") {
      bodiesPerSource = Number(perSourceText);
      if (!Number.isSafeInteger(bodiesPerSource) || bodiesPerSource < 0)
        throw new Error(
          `invalid HOOKLINE_BODIES_PER_SOURCE "${perSourceText}": use a count, 0 for no cap`,
        );
    }
  } catch (err) {
    process.stderr.write(`hookline serve: ${(err as Error).message}\n`);
    return 2;
  }
  let retentionMs: number | undefined;
  const retentionText = values.retention ?? env["HOOKLINE_RETENTION"];
  if (retentionText !== undefined) {
    retentionMs = parseDuration(retentionText);
    if (retentionMs === undefined) {
      process.stderr.write(
        `hookline serve: invalid retention "${retentionText}": use e.g. 7d, 12h, 30m\n`,
      );
      return 2;
    }
  }
  const sink = values.sink ?? env["HOOKLINE_SINK"] ?? "local";
  if (sink !== "local" && sink !== "kubernetes") {
    process.stderr.write(`hookline serve: invalid sink "${sink}": use local or kubernetes\n`);
    return 2;
  }
  const configDirs = values.config.filter((c) => c !== "kubernetes");
  const fromCluster = configDirs.length < values.config.length;
  const [configDir = ""] = configDirs;
  if (configDirs.length > 1) {
    process.stderr.write(
      `hookline serve: one config directory at most (and/or --config kubernetes), not ${configDirs.join(", ")}\n`,
    );
    return 2;
  }
  if (values["all-listeners"] && !fromCluster) {
    process.stderr.write("hookline serve: --all-listeners goes with --config kubernetes\n");
    return 2;
  }
  const log = createLogger();
  try {
    const running = await serve({
      configDir,
      cluster: fromCluster ? { allListeners: values["all-listeners"] } : undefined,
      store: values.store ?? env["HOOKLINE_STORE"],
      adminAddr: values.admin ?? env["HOOKLINE_ADMIN_ADDR"],
      adminToken: env["HOOKLINE_ADMIN_TOKEN"],
      adminHosts: parseAllowedHosts(env["HOOKLINE_ADMIN_HOSTS"]),
      ...(retentionMs === undefined ? {} : { retentionMs }),
      port,
      ...(values.host === undefined ? {} : { host: values.host }),
      outDir: values.out,
      sink,
      secretsDir: values.secrets ?? env["HOOKLINE_SECRETS_DIR"],
      maxBodyBytes,
      bodyBudgetBytes,
      bodiesPerSource,
      defaultListener: env["HOOKLINE_LISTENER"],
      interceptorsDir: values.interceptors ?? env["HOOKLINE_INTERCEPTORS_DIR"],
      log,
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info("shutting down", { signal });
        void running.close().then(resolve);
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    return 0;
  } catch (err) {
    log.error("hookline could not start", { error: (err as Error).message });
    return 1;
  }
}

/** `7d`, `12h`, `30m`, `90s` → milliseconds; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(d|h|m|s)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 }[m[2] as "d" | "h" | "m" | "s"];
  return Number(m[1]) * unit;
}
