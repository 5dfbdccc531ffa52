/**
 * What an interceptor step requires of an event, known at load time from its params alone: the
 * dispatch index (src/config/compile-dispatch-plan.ts) rules a trigger out from these facts without
 * running it, when the step would have stopped it. Every fact is a pure function of the event's
 * headers or its body as the chain sees it; one that cannot be decided for an event (a missing
 * body field, a value that is not a string) rules nothing out, and the trigger runs.
 */
export interface DispatchFacts {
  /**
   * When one of these holds, the step answers something else first (github refuses a form body
   * before its event-type check): the facts below say nothing for that event.
   */
  readonly unless: readonly HeaderIs[];
  /**
   * The step parses the body as a JSON object before anything else and fails for one that is
   * not (cel): for such a body the facts say nothing.
   */
  readonly parsesBody?: boolean;
  /**
   * Checked by the step before anything else it does: when one is false, the step stops the
   * trigger — as not applicable (`eventType`), or as a false filter (`header`, `body`, `bodyHas`).
   * A filter's facts are top-level conjuncts of it: any false one makes it false, whatever the
   * others are.
   */
  readonly requires: readonly EventFact[];
  /**
   * What the step does when every requirement holds (and the event is none of `unless`):
   * - `continues`: it goes on, leaving body and headers as they were;
   * - `authenticates`: it goes on, body and headers unchanged, exactly when its authenticator
   *   (`Interceptor.authenticator`) accepts the event;
   * - `opaque`: anything may happen (an API call, other checks, a changed body): the index goes
   *   no further down the chain.
   */
  readonly then: "continues" | "authenticates" | "opaque";
}

/** The first value of a header (Go's `Header.Get`, "" when absent) equals `value`. */
export interface HeaderIs {
  readonly header: string;
  readonly value: string;
}

export type EventFact =
  /**
   * Tekton's event-type check: the first value of `header` ("" when absent) is one of
   * `eventTypes`. `provider` names the interceptor's provider: an absent header is then recorded
   * as another provider's event.
   */
  | {
      readonly kind: "eventType";
      readonly header: string;
      readonly eventTypes: readonly string[];
      readonly provider?: string;
    }
  /** CEL `header.match('Name', 'v')`: the first value of `header` ("" when absent) is one of `values`. */
  | { readonly kind: "header"; readonly header: string; readonly values: readonly string[] }
  /**
   * CEL `body.a.b == 'v'` or `body.a.b in ['v', 'w']`: the value at `path` is one of `values`;
   * undecided unless it is there and a string.
   */
  | { readonly kind: "body"; readonly path: readonly string[]; readonly values: readonly string[] }
  /**
   * CEL `'v' in body.a.b`: the list at `path` holds `value`; undecided unless it is there and a
   * list of strings.
   */
  | { readonly kind: "bodyHas"; readonly path: readonly string[]; readonly value: string };

/**
 * A provider interceptor's `eventTypes` as the dispatch index's required facts: none without the
 * param, else one check of the provider's event header.
 */
export function eventTypeFacts(
  provider: string,
  header: string,
  eventTypes: readonly string[] | undefined,
): EventFact[] {
  return eventTypes === undefined ? [] : [{ kind: "eventType", header, eventTypes, provider }];
}
