import type { ChainAuthenticator, CompiledListener, CompiledTrigger } from "../config/compiled.js";
import type { IncomingEvent } from "../core/incoming-event.js";
import type { Logger } from "../core/logger.js";
import type { SecretResolver } from "../interceptors/types.js";
import { createEventChecks, type EventChecks } from "./event-checks.js";
import { stopOutcome } from "./run-trigger.js";
import type { TriggerTrace } from "./types.js";

export interface GateDeps {
  secrets: SecretResolver;
  log: Logger;
  /** The event's shared checks (processEvent's, which the dispatch index uses too). */
  checks?: EventChecks;
}

/**
 * What the auth-first gate found:
 * - `open`: go on with the whole pipeline. `authenticated` says whether a trigger's authenticator
 *   verified the sender here (false when the gate could not decide: a trigger with no
 *   authenticator, a missing secret).
 * - `closed`: every trigger that may apply has an authenticator and none passed. The traces say
 *   why, one per trigger, in decideEvent's order; the body was never parsed.
 */
export type GateResult =
  { kind: "open"; authenticated: boolean } | { kind: "closed"; traces: TriggerTrace[] };

/** One trigger, or a group's triggers, decided by one authenticator. */
interface GateUnit {
  authenticator: ChainAuthenticator | undefined;
  namespace: string;
  triggers: readonly CompiledTrigger[];
  group: string | undefined;
}

/**
 * Pay for authentication first: when every trigger of the listener begins with a raw-bytes
 * authenticator (a signature or token check with a secret), those checks run over the bytes as
 * received, before anything parses the body. When none passes — each one failed the signature or
 * token, or said the event is not one it is for — the gate is closed: the caller answers by
 * Tekton's 401 rule from these traces, without parsing the body or running the rest of any chain.
 * Any other answer (a pass, a missing secret, a trigger without an authenticator) opens it, and
 * the event goes through the pipeline as before.
 */
export async function authGate(
  listener: CompiledListener,
  event: IncomingEvent,
  deps: GateDeps,
): Promise<GateResult> {
  const gate = gateUnitsOf(listener);
  if (gate === undefined) return { kind: "open", authenticated: false };
  // One check per distinct (authenticator, namespace): a thousand triggers behind the same github
  // secret are one HMAC comparison, whose answer each of them shares (and the index after it).
  // The units are not visited unless the gate closes.
  const checks = deps.checks ?? createEventChecks(event, deps);
  const verdicts = await Promise.all(
    gate.distinct.map((d) => checks.verdict(d.authenticator, d.namespace)),
  );
  if (verdicts.some((c) => c.verdict.kind === "pass")) return { kind: "open", authenticated: true };
  const traces: TriggerTrace[] = [];
  for (const [i, unit] of gate.units.entries()) {
    const checked = verdicts[gate.checkOf[i] ?? -1];
    if (checked === undefined) return { kind: "open", authenticated: false };
    const { verdict, ms } = checked;
    if (verdict.kind !== "refused" || unit.authenticator === undefined)
      return { kind: "open", authenticated: false };
    const { code, message } = verdict.response.status;
    const interceptor = unit.authenticator.name;
    const outcome = stopOutcome({
      kind: "stop",
      interceptor,
      code,
      message,
      authFailure: verdict.response.authFailure === true,
      notApplicable: verdict.response.notApplicable === true,
      ...(verdict.response.ruledOutBy === undefined
        ? {}
        : { ruledOutBy: verdict.response.ruledOutBy }),
      trace: [],
    });
    for (const t of unit.triggers) {
      traces.push({
        trigger: t.name,
        namespace: t.namespace,
        triggerId: t.id,
        ...(unit.group === undefined ? {} : { group: unit.group }),
        via: unit.group === undefined ? t.via : "group",
        interceptors: [{ interceptor, outcome: "stop", code, message, durationMs: ms }],
        extensions: {},
        params: [],
        outcome,
        durationMs: ms,
      });
    }
  }
  return { kind: "closed", traces };
}

/**
 * The gate's units of a compiled listener, worked out once per compiled config (a reload makes a
 * new listener object): undefined when the gate cannot close (no trigger, or one without an
 * authenticator).
 */
const unitsByListener = new WeakMap<CompiledListener, Gate | undefined>();
function gateUnitsOf(listener: CompiledListener): Gate | undefined {
  if (unitsByListener.has(listener)) return unitsByListener.get(listener);
  const units = gateUnits(listener);
  const gated =
    units.length === 0 || units.some((u) => u.authenticator === undefined)
      ? undefined
      : distinctChecks(units);
  unitsByListener.set(listener, gated);
  return gated;
}

/** The units, and the distinct checks they need: `checkOf[i]` is unit i's place in `distinct`. */
interface Gate {
  units: readonly GateUnit[];
  distinct: readonly { authenticator: ChainAuthenticator; namespace: string }[];
  checkOf: readonly number[];
}

/** Units with the same authenticator key in the same namespace share a check (EventChecks). */
function distinctChecks(units: readonly GateUnit[]): Gate {
  const distinct: Gate["distinct"][number][] = [];
  const byKey = new Map<string, number>();
  const checkOf = units.map((u) => {
    const authenticator = u.authenticator;
    if (authenticator === undefined) return -1; // not reached: such a listener has no gate
    const key =
      authenticator.key === undefined
        ? undefined
        : JSON.stringify([authenticator.key, u.namespace]);
    const known = key === undefined ? undefined : byKey.get(key);
    if (known !== undefined) return known;
    distinct.push({ authenticator, namespace: u.namespace });
    if (key !== undefined) byKey.set(key, distinct.length - 1);
    return distinct.length - 1;
  });
  return { units, distinct, checkOf };
}

/**
 * The triggers as decideEvent runs them: each of the listener's own, then each group's — one
 * unit for a group with interceptors (its chain decides for all its triggers), else one per
 * trigger.
 */
function gateUnits(listener: CompiledListener): GateUnit[] {
  const own = (t: CompiledTrigger, group: string | undefined): GateUnit => ({
    authenticator: t.plan.kind === "plan" ? t.plan.authenticator : undefined,
    namespace: t.namespace,
    triggers: [t],
    group,
  });
  const units = listener.triggers.map((t) => own(t, undefined));
  for (const g of listener.groups) {
    if (g.interceptors.length === 0) {
      units.push(...g.triggers.map((t) => own(t, g.name)));
    } else if (g.triggers.length > 0) {
      units.push({
        authenticator: g.authenticator,
        namespace: listener.namespace,
        triggers: g.triggers,
        group: g.name,
      });
    }
  }
  return units;
}
