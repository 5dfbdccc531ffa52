import { parseArgs } from "node:util";
import { parseSize } from "../intake/read-body.js";
import { createLogger } from "../log/logger.js";
import { DEFAULT_MAX_BODY, serve } from "../main.js";

export async function runServe(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        config: { type: "string", default: "examples/config" },
        port: { type: "string" },
        out: { type: "string", default: "./out" },
        secrets: { type: "string" },
        "max-body": { type: "string" },
        host: { type: "string" },
        store: { type: "string" },
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
  const log = createLogger();
  try {
    const running = await serve({
      configDir: values.config,
      store: values.store ?? env["HOOKLINE_STORE"],
      port,
      ...(values.host === undefined ? {} : { host: values.host }),
      outDir: values.out,
      secretsDir: values.secrets ?? env["HOOKLINE_SECRETS_DIR"],
      maxBodyBytes,
      defaultListener: env["HOOKLINE_LISTENER"],
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
