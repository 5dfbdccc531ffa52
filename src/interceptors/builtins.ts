import { bitbucket } from "../../interceptors/bitbucket/index.js";
import { cel } from "../../interceptors/cel/index.js";
import { github } from "../../interceptors/github/index.js";
import { gitlab } from "../../interceptors/gitlab/index.js";
import { hmac } from "../../interceptors/hmac/index.js";
import { slack } from "../../interceptors/slack/index.js";
import { standardWebhooks } from "../../interceptors/standard-webhooks/index.js";
import { InterceptorRegistry } from "./registry.js";
import type { Interceptor } from "./types.js";

/** The interceptors hookline ships: Tekton's core ones under their names, and hookline's own. */
export function createBuiltinRegistry(): InterceptorRegistry {
  return new InterceptorRegistry([
    github,
    gitlab,
    bitbucket,
    slack,
    cel,
    standardWebhooks,
    hmac,
  ] as Interceptor<unknown>[]);
}
