import { createHmac, timingSafeEqual } from "node:crypto";
import { accept, firstHeader, reject, type Interceptor, type InterceptorResponse } from "../../src/interceptors/public.js";
import { parseGithubParams, type GithubParams } from "./params.js";

/**
 * Tekton's github interceptor (TEKTON-SPEC §4.1): form bodies refused, `eventTypes` on
 * X-GitHub-Event, X-Hub-Signature-256 over the raw bytes in constant time. Checks run in Tekton's
 * order and answer with its codes and messages, which users grep their logs for.
 */
export const github: Interceptor<GithubParams> = {
  name: "github",
  parseParams: parseGithubParams,
  async process(req, params, ctx): Promise<InterceptorResponse> {
    if (firstHeader(req.header, "Content-Type") === "application/x-www-form-urlencoded") {
      return reject("INVALID_ARGUMENT", "form parameter encoding not supported, please change the hook to send JSON payloads");
    }
    if (params.eventTypes !== undefined) {
      const actual = firstHeader(req.header, "X-Github-Event") ?? "";
      if (!params.eventTypes.includes(actual)) return reject("FAILED_PRECONDITION", `event type ${actual} is not allowed`);
    }
    if (params.secretRef !== undefined) {
      if (params.secretRef.secretKey === "") return reject("FAILED_PRECONDITION", "github interceptor secretRef.secretKey is empty");
      const header = firstHeader(req.header, "X-Hub-Signature-256");
      if (header === undefined) return reject("FAILED_PRECONDITION", "no X-Hub-Signature-256 header set", { authFailure: true });
      let secret: Buffer;
      try {
        secret = await ctx.secrets.get(params.secretRef, ctx.namespace);
      } catch (err) {
        return reject("FAILED_PRECONDITION", `error getting secret: ${(err as Error).message}`);
      }
      const failure = checkSignature(header, req.body, secret);
      if (failure !== undefined) return reject("FAILED_PRECONDITION", failure, { authFailure: true });
    }
    if (params.addChangedFiles?.enabled === true || params.githubOwners?.enabled === true) {
      // These call the GitHub API; the interceptor issue builds them. Say so rather than pass silently.
      return reject("UNIMPLEMENTED", "addChangedFiles and githubOwners are not supported yet");
    }
    return accept();
  },
};

const ALGORITHMS: Record<string, number> = { sha1: 20, sha256: 32, sha512: 64 };

/**
 * go-github's ValidateSignature: `<algo>=<hex>`, HMAC over the raw body, constant-time compare.
 * Returns Tekton's failure message, or undefined when the signature is right.
 */
export function checkSignature(header: string, body: Buffer, secret: Buffer): string | undefined {
  if (header === "") return "missing signature";
  const eq = header.indexOf("=");
  if (eq < 0) return "error parsing signature"; // Tekton echoes the header; hookline never logs signatures.
  const algo = header.slice(0, eq);
  const hex = header.slice(eq + 1);
  const size = ALGORITHMS[algo];
  if (size === undefined) return `unknown hash type prefix: "${algo}"`;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return "error decoding signature: encoding/hex: invalid byte";
  const given = Buffer.from(hex, "hex");
  const expected = createHmac(algo, secret).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "payload signature check failed";
  return undefined;
}
