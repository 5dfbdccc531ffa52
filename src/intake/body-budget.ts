/**
 * What the listener port lets in at once (issue 11, "Bound the work in flight"): a global budget of
 * request-body bytes held by requests not yet answered, and a cap on the bodies being received at
 * once per source address (a sender that opens many bodies and sends them slowly holds budget
 * without costing itself anything; a fast sender's bodies are read as they arrive and hold no slot). A request that does not fit is refused with 503 before its body is read (or, for a
 * chunked body, as soon as its bytes no longer fit), so a flood of large bodies costs memory up to
 * the budget and no more.
 */
export interface BodyBudget {
  /**
   * Admits one request body from `source` (the peer address) that declares `declared` bytes
   * (Content-Length; 0 when it declares none: a chunked body reserves as its bytes arrive).
   */
  admit(source: string, declared: number): BodyAdmission;
  /** Bytes reserved now (for tests and the log). */
  readonly reservedBytes: number;
}

/** Why a request was not let in. */
export type BodyRefusal = "budget" | "source";

export type BodyAdmission =
  { kind: "admitted"; ticket: BodyTicket } | { kind: "refused"; reason: BodyRefusal };

/** One admitted body's share of the budget. */
export interface BodyTicket {
  /**
   * Makes sure `bytes` in all are reserved for this body (what has arrived so far); false, reserving
   * nothing more, when the budget has no room for them: the body must then be cut off.
   */
  cover(bytes: number): boolean;
  /**
   * The body has been read whole (or its reading ended): its source's slot is free, its bytes
   * stay reserved until `release`. Idempotent.
   */
  received(): void;
  /** Gives back every byte reserved, and the source's slot if `received` did not. Idempotent. */
  release(): void;
}

export interface BodyBudgetLimits {
  /** Bytes of bodies held at once, across all requests (HOOKLINE_BODY_BUDGET). */
  maxBytes: number;
  /** Bodies being received at once from one source address; 0: no cap (HOOKLINE_BODIES_PER_SOURCE). */
  perSource: number;
}

export function createBodyBudget(limits: BodyBudgetLimits): BodyBudget {
  let reserved = 0;
  const bySource = new Map<string, number>();
  return {
    get reservedBytes() {
      return reserved;
    },
    admit(source, declared) {
      const inFlight = bySource.get(source) ?? 0;
      if (limits.perSource > 0 && inFlight >= limits.perSource)
        return { kind: "refused", reason: "source" };
      // With nothing else held, a body is let in whatever its size (--max-body bounds it): a
      // --max-body above the budget then means one such body at a time, not none ever.
      if (reserved > 0 && declared > limits.maxBytes - reserved)
        return { kind: "refused", reason: "budget" };
      reserved += declared;
      bySource.set(source, inFlight + 1);
      let held = declared;
      let released = false;
      let reading = true;
      const received = (): void => {
        if (!reading) return;
        reading = false;
        const left = (bySource.get(source) ?? 1) - 1;
        if (left === 0) bySource.delete(source);
        else bySource.set(source, left);
      };
      return {
        kind: "admitted",
        ticket: {
          cover(bytes) {
            if (released) return false;
            const more = bytes - held;
            if (more <= 0) return true;
            if (reserved > held && more > limits.maxBytes - reserved) return false;
            reserved += more;
            held = bytes;
            return true;
          },
          received,
          release() {
            if (released) return;
            released = true;
            reserved -= held;
            held = 0;
            received();
          },
        },
      };
    },
  };
}
