/**
 * The SDK for interceptors, built-in and plug-in alike: they import hookline only from here.
 */
import type { InterceptorResponse, StatusCodeName } from "./types.js";

export type {
  Authenticate,
  EventBudget,
  EventBudgetLimits,
  Interceptor,
  InterceptorContext,
  InterceptorRequest,
  InterceptorResponse,
  RawRequest,
  SecretRef,
  SecretResolver,
  StatusCodeName,
  TriggerContext,
} from "./types.js";
export type { Logger, LogFields, LogLevel } from "../core/logger.js";
export type { DispatchFacts, EventFact, HeaderIs } from "./dispatch-facts.js";
export { eventTypeFacts } from "./dispatch-facts.js";
export type { RuledOutBy } from "../core/ruled-out-by.js";
export { ParamError, statusCodes } from "./types.js";
export { createEventBudget, eventBudgetLimits } from "./event-budget.js";
export { firstHeader, canonicalHeaderKey } from "../core/canonical-header.js";
export { lazyPackage } from "../core/lazy-package.js";

/**
 * Lets the event go on to the next interceptor, adding `extensions` when given.
 * @example return accept({ changed_files: "a.go,b.go" });
 */
export function accept(extensions?: Record<string, unknown>): InterceptorResponse {
  return extensions === undefined ? { continue: true } : { continue: true, extensions };
}

/**
 * Stops this trigger with a gRPC status code and Tekton's message. `authFailure` marks a
 * signature or token that did not verify (the listener answers 401 when every trigger says so).
 * @example return reject("FAILED_PRECONDITION", "event type ping is not allowed");
 */
export function reject(
  code: StatusCodeName,
  message: string,
  options: { authFailure?: boolean } = {},
): InterceptorResponse {
  return options.authFailure === true
    ? { continue: false, status: { code, message }, authFailure: true }
    : { continue: false, status: { code, message } };
}

export { safeEqual } from "./sdk/safe-equal.js";
export { headerTokenEquals } from "./sdk/header-token-equals.js";
export { isRecord, paramValue } from "./sdk/param-value.js";
export {
  assertKnownParams,
  parseAddChangedFiles,
  parseBoolParam,
  parseSecretRef,
  parseSecretRefs,
  parseStringList,
  parseTokenParams,
  type TokenParams,
} from "./sdk/parse-params.js";
export { checkHubSignature } from "./sdk/check-hub-signature.js";
export { checkEventType } from "./sdk/check-event-type.js";
export { checkKnownEventTypes } from "./sdk/check-known-event-types.js";
export { readSecret } from "./sdk/read-secret.js";
export { readSecrets } from "./sdk/read-secrets.js";
export { allSecretRefs } from "./sdk/all-secret-refs.js";
export { checkTimestampWindow, parseUnixSeconds } from "./sdk/check-timestamp-window.js";
