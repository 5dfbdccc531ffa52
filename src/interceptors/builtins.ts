import { bitbucket } from "../../interceptors/bitbucket/index.js";
import { cel } from "../../interceptors/cel/index.js";
import type { GithubApiOptions } from "../../interceptors/github/github-api.js";
import { createGithubInterceptor, github } from "../../interceptors/github/index.js";
import type { GitlabApiOptions } from "../../interceptors/gitlab/changed-files.js";
import { createGitlabInterceptor, gitlab } from "../../interceptors/gitlab/index.js";
import { hmac } from "../../interceptors/hmac/index.js";
import { slack } from "../../interceptors/slack/index.js";
import { standardWebhooks } from "../../interceptors/standard-webhooks/index.js";
import { InterceptorRegistry } from "./registry.js";
import type { Interceptor } from "./types.js";

/** What the built-ins that call a provider API are told (hookline: from its settings). */
export interface BuiltinInterceptorOptions {
  github?: GithubApiOptions;
  gitlab?: GitlabApiOptions;
}

/**
 * The interceptors hookline ships: Tekton's core ones under their names, and hookline's own.
 * Without `options`, the GitHub and GitLab API calls use their defaults (api.github.com, the
 * payload's GitLab host).
 */
export function createBuiltinRegistry(
  options: BuiltinInterceptorOptions = {},
): InterceptorRegistry {
  return new InterceptorRegistry([
    options.github === undefined ? github : createGithubInterceptor(options.github),
    options.gitlab === undefined ? gitlab : createGitlabInterceptor(options.gitlab),
    bitbucket,
    slack,
    cel,
    standardWebhooks,
    hmac,
  ] as Interceptor<unknown>[]);
}
