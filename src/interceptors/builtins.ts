import { bitbucket } from "../../interceptors/bitbucket/index.js";
import { cel } from "../../interceptors/cel/index.js";
import { github } from "../../interceptors/github/index.js";
import { gitlab } from "../../interceptors/gitlab/index.js";
import { slack } from "../../interceptors/slack/index.js";
import { InterceptorRegistry } from "./registry.js";
import type { Interceptor } from "./types.js";

/** The interceptors hookline ships, under the names Tekton's core ClusterInterceptors have. */
export function createBuiltinRegistry(): InterceptorRegistry {
  return new InterceptorRegistry([github, gitlab, bitbucket, slack, cel] as Interceptor<unknown>[]);
}
