import {
  accept,
  isRecord,
  reject,
  type Interceptor,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
} from "../../src/interceptors/public.js";
import { summaryOf, type CelProgram } from "./compile-expression.js";
import { celLimits } from "./cel-limits.js";
import { toCelMap, toCelValue } from "./cel-value.js";
import { parseCelParams, type CelParams } from "./params.js";
import { withSecretLookup, type SecretLookup } from "./secret-scope.js";
import { setExtensionPath } from "./set-path.js";
import { toJSONValue, type JSONValue } from "./to-json.js";

export { parseCelParams, type CelParams } from "./params.js";

/**
 * Tekton's `cel` interceptor (TEKTON-SPEC §4.5): a `filter` that must evaluate to `true`, then
 * `overlays` whose results are written into a fresh extensions object at sjson paths. Every
 * expression sees the same activation (`body`, `header`, `extensions`, `requestURL`), so overlays do
 * not see each other's results. A "no" is never an auth failure.
 */
export const cel: Interceptor<CelParams> = {
  name: "cel",
  parseParams: parseCelParams,
  async process(req, params, ctx) {
    const body = parseBody(req);
    if (typeof body === "string") {
      return reject(
        "INVALID_ARGUMENT",
        `error making the evaluation context: failed to parse the body as JSON: ${body}`,
      );
    }
    // Objects with a `constructor` or `__proto__` key are handed over as Maps (cel-value.ts).
    const activation = {
      body: toCelValue(body, req.body),
      header: toCelMap(req.header),
      extensions: toCelMap(req.extensions),
      requestURL: req.context.event_url,
    };
    const secrets = await fetchSecrets(params, ctx);
    return withSecretLookup(secrets, () => evaluateAll(params, activation));
  },
};

/** The body as a JSON object (an empty body is `{}`), or the text of why it is not one. */
function parseBody(req: InterceptorRequest): Record<string, unknown> | string {
  if (req.body.length === 0) return {};
  let value: unknown;
  try {
    value = req.bodyJSON();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (value === null) return {}; // Go unmarshals `null` into an empty map without error
  if (isRecord(value)) return value;
  const kind = Array.isArray(value) ? "array" : typeof value;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

/**
 * Fetches every secret compareSecret names before the (synchronous) evaluation. A failure is kept
 * and raised only if compareSecret actually runs, so that a call in an untaken branch does not fail
 * the event, as in Tekton where the secret is read lazily.
 */
async function fetchSecrets(params: CelParams, ctx: InterceptorContext): Promise<SecretLookup> {
  const fetched = new Map<string, Buffer | Error>();
  await Promise.all(
    params.secretRefs.map(async (ref) => {
      const id = secretId(ref.secretName, ref.secretKey);
      try {
        fetched.set(id, await ctx.secrets.get(ref, ctx.namespace));
      } catch {
        // Deliberately not the resolver's message: it is only reported if compareSecret runs.
        fetched.set(
          id,
          new Error(
            `failed to find secret '${ref.secretName}' key '${ref.secretKey}' in compareSecret`,
          ),
        );
      }
    }),
  );
  return (secretName, secretKey) => {
    const hit = fetched.get(secretId(secretName, secretKey));
    if (hit === undefined)
      throw new Error(`failed to find secret '${secretName}' key '${secretKey}' in compareSecret`);
    if (hit instanceof Error) throw hit;
    return hit;
  };
}

function secretId(secretName: string, secretKey: string): string {
  return `${secretName}\u0000${secretKey}`;
}

function evaluateAll(
  params: CelParams,
  activation: Readonly<Record<string, unknown>>,
): InterceptorResponse {
  if (params.filter !== undefined) {
    const result = run(params.filter, activation);
    if (!result.ok) return result.response;
    if (result.value !== true) {
      return reject(
        "FAILED_PRECONDITION",
        `expression ${params.filter.source} did not return true`,
      );
    }
  }
  if (params.overlays.length === 0) return accept();
  const extensions: Record<string, JSONValue> = {};
  for (const overlay of params.overlays) {
    const result = run(overlay.program, activation);
    if (!result.ok) return result.response;
    let json: JSONValue;
    try {
      let weight = 0;
      const tooLarge = (): Error =>
        new Error(`result is larger than ${celLimits.maxOverlayJSONLength} characters of JSON`);
      // The weight check stops the walk early; the text check is the exact bound.
      json = toJSONValue(result.value, (w) => {
        weight += w;
        if (weight > celLimits.maxOverlayJSONLength) throw tooLarge();
      });
      if ((JSON.stringify(json) ?? "").length > celLimits.maxOverlayJSONLength) throw tooLarge();
      setExtensionPath(extensions, overlay.key, json);
    } catch (error) {
      return reject(
        "INVALID_ARGUMENT",
        `failed to apply overlay ${JSON.stringify(overlay.key)}: ${summaryOf(error)}`,
      );
    }
  }
  return accept(extensions);
}

type RunResult = { ok: true; value: unknown } | { ok: false; response: InterceptorResponse };

function run(program: CelProgram, activation: Readonly<Record<string, unknown>>): RunResult {
  try {
    return { ok: true, value: program.evaluate(activation) };
  } catch (error) {
    return {
      ok: false,
      response: reject(
        "INVALID_ARGUMENT",
        `error evaluating cel expression: expression ${JSON.stringify(program.source)} failed to evaluate: ${summaryOf(error)}`,
      ),
    };
  }
}
