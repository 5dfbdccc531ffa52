import type { CompiledListener, CompiledTrigger, InterceptorStep } from "./compiled.js";

/** The interceptors that say which provider sends a trigger's events. */
const PROVIDER_INTERCEPTORS: ReadonlySet<string> = new Set([
  "github",
  "gitlab",
  "bitbucket",
  "slack",
  "standard-webhooks",
  "hmac",
]);

/** What a person needs to point a sender at a listener: its path and what each trigger takes. */
export interface ListenerSummary {
  namespace: string;
  name: string;
  /** `/listeners/<ns>/<name>`: the path after the listener port's base URL. */
  path: string;
  triggers: TriggerSummary[];
}

export interface TriggerSummary {
  /** The trigger's name (a group's triggers as `group/name`). */
  name: string;
  /** The provider interceptors of its chain (its group's first), in chain order; [] = any sender. */
  providers: string[];
  /** The event types those interceptors accept; undefined when any type is accepted. */
  eventTypes: string[] | undefined;
}

/** The summary of one listener, from the config as it is loaded (`validate`, `serve`). */
export function summarizeListener(listener: CompiledListener): ListenerSummary {
  return {
    namespace: listener.namespace,
    name: listener.name,
    path: `/listeners/${listener.namespace}/${listener.name}`,
    triggers: [
      ...listener.triggers.map((t) => summarizeTrigger(t.name, t, [])),
      ...listener.groups.flatMap((g) =>
        g.triggers.map((t) => summarizeTrigger(`${g.name}/${t.name}`, t, g.interceptors)),
      ),
    ],
  };
}

/** Every provider the listener's triggers name, in first-seen order. */
export function listenerProviders(summary: ListenerSummary): string[] {
  return [...new Set(summary.triggers.flatMap((t) => t.providers))];
}

/** The event types the listener's triggers of `provider` accept (undefined: some accept any). */
export function providerEventTypes(
  summary: ListenerSummary,
  provider: string,
): string[] | undefined {
  const types = new Set<string>();
  for (const t of summary.triggers) {
    if (!t.providers.includes(provider)) continue;
    if (t.eventTypes === undefined) return undefined;
    for (const type of t.eventTypes) types.add(type);
  }
  return [...types];
}

function summarizeTrigger(
  name: string,
  trigger: CompiledTrigger,
  groupSteps: readonly InterceptorStep[],
): TriggerSummary {
  const steps = [...groupSteps, ...(trigger.plan.kind === "plan" ? trigger.plan.interceptors : [])];
  const providers: string[] = [];
  let eventTypes: string[] | undefined;
  for (const step of steps) {
    if (step.kind !== "builtin" || !PROVIDER_INTERCEPTORS.has(step.name)) continue;
    if (!providers.includes(step.name)) providers.push(step.name);
    const types = eventTypesOf(step.params);
    // Two steps that both filter by type: an event passes only what both accept.
    if (types !== undefined)
      eventTypes = eventTypes === undefined ? types : eventTypes.filter((t) => types.includes(t));
  }
  return { name, providers, eventTypes };
}

/** The `eventTypes` of an interceptor's parsed params, when it has them. */
function eventTypesOf(params: unknown): string[] | undefined {
  if (typeof params !== "object" || params === null || !("eventTypes" in params)) return undefined;
  const types = params.eventTypes;
  return Array.isArray(types) && types.every((t) => typeof t === "string") ? types : undefined;
}
