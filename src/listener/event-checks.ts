import { performance } from "node:perf_hooks";
import type { ChainAuthenticator } from "../config/compiled.js";
import type { IncomingEvent } from "../core/incoming-event.js";
import type { Logger } from "../core/logger.js";
import type { InterceptorResponse, SecretResolver } from "../interceptors/types.js";

/** What one authenticator said of an event. */
export type Verdict =
  | { kind: "pass" }
  | { kind: "undecided" }
  | { kind: "refused"; response: Extract<InterceptorResponse, { continue: false }> };

/**
 * The signature and token checks of one event, shared by the auth-first gate and the dispatch
 * index: each distinct (namespace, authenticator key) runs once per event and every trigger and
 * trigger group with that key gets its verdict (an authenticator without a key runs on its own).
 */
export interface EventChecks {
  verdict(
    authenticator: ChainAuthenticator,
    namespace: string,
  ): Promise<{ verdict: Verdict; ms: number }>;
  /** The verdict when it is known already (asked and answered), without waiting for it. */
  settled(authenticator: ChainAuthenticator, namespace: string): Verdict | undefined;
}

export function createEventChecks(
  event: IncomingEvent,
  deps: { secrets: SecretResolver; log: Logger },
): EventChecks {
  const raw = { body: event.rawBody, header: event.header };
  // By key, then namespace: no key string is built per trigger.
  const known = new Map<string, Map<string, Promise<{ verdict: Verdict; ms: number }>>>();
  const answered = new Map<string, Map<string, Verdict>>();
  const run = async (
    authenticator: ChainAuthenticator,
    namespace: string,
  ): Promise<{ verdict: Verdict; ms: number }> => {
    const began = performance.now();
    let verdict: Verdict;
    try {
      const res = await authenticator.authenticate(raw, {
        secrets: deps.secrets,
        receivedAt: event.receivedAt,
        namespace,
        log: deps.log,
        signal: NEVER_ABORTED,
      });
      verdict = res.continue
        ? { kind: "pass" }
        : res.authFailure === true || res.notApplicable === true
          ? { kind: "refused", response: res }
          : { kind: "undecided" };
    } catch {
      // Not swallowed: the decision is left to the trigger's own chain, which fails and logs it.
      verdict = { kind: "undecided" };
    }
    return { verdict, ms: Math.round((performance.now() - began) * 1000) / 1000 };
  };
  return {
    verdict(authenticator, namespace) {
      const key = authenticator.key;
      if (key === undefined) return run(authenticator, namespace);
      let inKey = known.get(key);
      if (inKey === undefined) {
        inKey = new Map();
        known.set(key, inKey);
      }
      let answer = inKey.get(namespace);
      if (answer === undefined) {
        answer = run(authenticator, namespace).then((a) => {
          let settled = answered.get(key);
          if (settled === undefined) {
            settled = new Map();
            answered.set(key, settled);
          }
          settled.set(namespace, a.verdict);
          return a;
        });
        inKey.set(namespace, answer);
      }
      return answer;
    },
    settled(authenticator, namespace) {
      const key = authenticator.key;
      return key === undefined ? undefined : answered.get(key)?.get(namespace);
    },
  };
}

/** The checks do not outlive the request, and nothing cancels them early. */
const NEVER_ABORTED = new AbortController().signal;
