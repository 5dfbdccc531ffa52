/**
 * Which fact of an event showed that a trigger is not for it: the trigger does not apply, and it
 * neither fired, nor filtered the event, nor vouched for (or against) the sender. An interceptor
 * finds it when it runs (its event-type check); the dispatch index finds it at load time from the
 * trigger's static facts, without running the trigger.
 */
export type RuledOutBy =
  /**
   * The event is another provider's: the header this trigger's provider always sends is absent.
   * `seen` is the provider intake identified ("gitlab"), or "" when the finder cannot tell.
   */
  | { fact: "provider"; seen: string; expected: string; header: string }
  /** The event's type (`header`'s value, possibly "") is not one of the trigger's `eventTypes`. */
  | { fact: "eventType"; seen: string; expected: readonly string[]; header: string }
  /**
   * A top-level conjunct of the trigger's CEL filter cannot hold: `subject` (`body.repository
   * .full_name`, `header X-Foo`) is `seen`, not one of `expected`.
   */
  | { fact: "filter"; seen: string; expected: readonly string[]; subject: string }
  /** A plug-in interceptor said the event is not for this trigger; `seen` is its message. */
  | { fact: "interceptor"; seen: string; interceptor: string };

export type RuledOutFact = RuledOutBy["fact"];

/**
 * The sentence that names what was seen: "no X-GitHub-Event header", "event type ping; this
 * trigger listens to push", `body.repository.full_name is "acme/b"; this trigger wants "acme/a"`.
 */
export function describeRuledOut(r: RuledOutBy): string {
  switch (r.fact) {
    case "provider":
      return r.seen === "" || r.seen === "generic"
        ? `no ${r.header} header`
        : `no ${r.header} header (a ${r.seen} event); this trigger is for ${r.expected}`;
    case "eventType": {
      const seen = r.seen === "" ? `empty ${r.header} header` : `event type ${r.seen}`;
      return r.expected.length === 0
        ? `${seen}; this trigger does not listen to it`
        : `${seen}; this trigger listens to ${r.expected.join(", ")}`;
    }
    case "filter":
      return `${r.subject} is ${JSON.stringify(r.seen)}; this trigger wants ${r.expected
        .map((e) => JSON.stringify(e))
        .join(" or ")}`;
    case "interceptor":
      return r.seen;
  }
}
