import {
  accept,
  createEventBudget,
  isRecord,
  reject,
  type DispatchFacts,
  type EventBudget,
  type Interceptor,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
  type StatusCodeName,
} from "../../src/interceptors/public.js";
import { CelBudgetError, lastEvaluationSteps } from "./budget.js";
import { summaryOf, type CelProgram } from "./compile-expression.js";
import { celLimits } from "./cel-limits.js";
import { toCelHeader, toCelMap, toCelValue } from "./cel-value.js";
import { parseCelParams, type CelParams } from "./params.js";
import { withSecretLookup, type SecretLookup } from "./secret-scope.js";
import { filterFacts } from "./filter-facts.js";
import { setExtensionPath } from "./set-path.js";
import { toJSONValue, type JSONValue } from "./to-json.js";

export { parseCelParams, type CelParams } from "./params.js";

/**
 * Tekton's `cel` interceptor (TEKTON-SPEC §4.5): a `filter` that must evaluate to `true`, then
 * `overlays` whose results are written into a fresh extensions object at sjson paths. Every
 * expression sees the same activation (`body`, `header`, `extensions`, `requestURL`), so overlays do
 * not see each other's results. A "no" is never an auth failure.
 *
 * Every expression draws on the event's CPU budget (`ctx.eventBudget`, shared by all triggers of
 * the event) as well as its own, and pauses through it before it runs, so that an expensive event
 * lets the event loop serve others between two expressions, and the decision deadline
 * (`ctx.signal`) can stop it there.
 */
export const cel: Interceptor<CelParams> = {
  name: "cel",
  parseParams: parseCelParams,
  secretRefs: (params) => params.secretRefs,
  dispatchFacts: celFacts,
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
      header: toCelHeader(req.header),
      extensions: toCelMap(req.extensions),
      requestURL: req.context.event_url,
    };
    const secrets = await fetchSecrets(params, ctx);
    return evaluateAll(params, activation, {
      secrets,
      budget: ctx.eventBudget ?? unlimited,
      signal: ctx.signal,
    });
  },
};

/**
 * For the dispatch index: the body is parsed first (one that is not a JSON object fails the
 * interceptor), then the filter's leading indexable conjuncts (filterFacts) decide a "no". A
 * filter with compareSecret gives none: its secrets are read before the filter runs.
 */
function celFacts(params: CelParams): DispatchFacts {
  const filter = params.filter;
  return {
    unless: [],
    parsesBody: true,
    requires: filter === undefined || filter.secretRefs.length > 0 ? [] : filterFacts(filter.ast),
    then: "opaque",
  };
}

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

/** For a context built by hand (a plug-in's test): no event limit, and never a pause. */
const unlimited: EventBudget = createEventBudget({
  maxSteps: Infinity,
  maxMillis: Infinity,
  sliceSteps: Infinity,
  sliceMillis: Infinity,
});

/** What every evaluation of one call needs beside the activation. */
interface EvaluationScope {
  readonly secrets: SecretLookup;
  readonly budget: EventBudget;
  readonly signal: AbortSignal;
}

async function evaluateAll(
  params: CelParams,
  activation: Readonly<Record<string, unknown>>,
  scope: EvaluationScope,
): Promise<InterceptorResponse> {
  if (params.filter !== undefined) {
    const result = await run(params.filter, activation, scope);
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
    const result = await run(overlay.program, activation, scope);
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

/**
 * One expression: first a pause (the event's budget lets the loop serve others once the event has
 * worked a slice), then, unless the decision deadline passed meanwhile, the evaluation, whose steps
 * and time are recorded in the event's budget whatever its outcome. Running out of the event's
 * budget is RESOURCE_EXHAUSTED; every other evaluation error is Tekton's INVALID_ARGUMENT.
 */
async function run(
  program: CelProgram,
  activation: Readonly<Record<string, unknown>>,
  scope: EvaluationScope,
): Promise<RunResult> {
  const paused = scope.budget.pause();
  if (paused !== undefined) await paused;
  const failed = (code: StatusCodeName, summary: string): RunResult => ({
    ok: false,
    response: reject(
      code,
      `error evaluating cel expression: expression ${JSON.stringify(program.source)} failed to evaluate: ${summary}`,
    ),
  });
  if (scope.signal.aborted)
    return failed("DEADLINE_EXCEEDED", "the event's decision deadline passed");
  const started = performance.now();
  let steps = 0;
  try {
    const result = withSecretLookup(scope.secrets, () => program.run(activation, scope.budget));
    steps = result.steps;
    return { ok: true, value: result.value };
  } catch (error) {
    steps = lastEvaluationSteps();
    if (error instanceof CelBudgetError && error.scope === "event") {
      return failed("RESOURCE_EXHAUSTED", error.message);
    }
    return failed("INVALID_ARGUMENT", summaryOf(error));
  } finally {
    scope.budget.spend(steps, performance.now() - started);
  }
}
