import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sign } from "@octokit/webhooks-methods";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const EXAMPLE_CONFIG = `${ROOT}examples/config`;
export const EXAMPLE_SECRET = "hookline-example-secret";
export const SHARED_EXAMPLES = `${ROOT}../shared/tekton-examples`;

/** A real delivery from @octokit/webhooks-examples, as the exact bytes GitHub would send. */
export function githubFixture(name: "push" | "pull_request.opened" | "ping"): Buffer {
  return readFileSync(`${ROOT}test/fixtures/github/${name}.json`);
}

/** `sha256=<hex>` as GitHub computes it (through Octokit, not hookline's own code). */
export async function signGithub(body: Buffer | string, secret: string): Promise<string> {
  return sign(secret, typeof body === "string" ? body : body.toString("utf8"));
}

/**
 * supertest JSON-encodes a Buffer sent with a JSON content type; a string goes on the wire as is.
 * Tests send payloads through this so the bytes signed are the bytes sent.
 */
export function wire(body: Buffer): string {
  return body.toString("utf8");
}
