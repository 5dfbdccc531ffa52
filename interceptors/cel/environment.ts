import { Environment } from "@marcbachmann/cel-js";
import { installBudget } from "./budget.js";
import { celLimits } from "./cel-limits.js";
import { registerExtFunctions } from "./ext-functions.js";
import { registerTektonFunctions } from "./tekton-functions.js";

/**
 * Builds the CEL environment of Tekton's cel interceptor (`makeCelEnv`; TEKTON-SPEC §4.5): the
 * variables `body`, `header`, `extensions` (all `map(string, dyn)`, as in Tekton) and `requestURL`,
 * Tekton's functions and the cel-go extensions. Mixed list and map literals are allowed, as cel-go
 * allows them. Its evaluator counts steps against the evaluation budget (budget.ts). Building an
 * environment is expensive: use the shared `celEnvironment`.
 * @example celEnvironment.parse("header.match('X-GitHub-Event', 'push')")
 */
export function createCelEnvironment(): Environment {
  const env = new Environment({
    homogeneousAggregateLiterals: false,
    limits: celLimits.parser,
  });
  env
    .registerVariable("body", "map<string, dyn>", {
      description: "the request body, parsed as a JSON object",
    })
    .registerVariable("header", "map<string, dyn>", {
      description: "request headers: Go-canonical name to list of values",
    })
    .registerVariable("extensions", "map<string, dyn>", {
      description: "extensions added by earlier interceptors",
    })
    .registerVariable("requestURL", "string", {
      description: "the URL the event was sent to (path and query)",
    });
  registerTektonFunctions(env);
  registerExtFunctions(env);
  installBudget(env);
  return env;
}

/** The one environment every cel interceptor compiles against. */
export const celEnvironment: Environment = createCelEnvironment();
