import type {
  CompiledFact,
  CompiledTrigger,
  DecidingFact,
  DispatchBucket,
  DispatchIndex,
  DispatchPlan,
  DispatchStep,
} from "./compiled.js";

/**
 * Buckets a listener's triggers by their deciding fact (docs/architecture.md, "The dispatch
 * index"): each trigger with a dispatch plan is given the `body` or `header` fact of its plan
 * that the fewest triggers share (the repository a filter names, say), and triggers whose plans
 * are the same step for step but for that fact — the same interceptors, the same other fact
 * objects, the same authenticator key, the same namespace, the deciding fact at the same place
 * and on the same path or header — share a bucket. An event then reads the deciding value once
 * and finds the members that accept it in `byValue`; the others are ruled out by their own fact,
 * as walking each plan would have ruled them out. Buckets of one trigger are not kept: such a
 * trigger is walked on its own, as before.
 *
 * A generator that pauses after each trigger, so that a load in turns (run-in-turns.ts) gives the
 * event loop a turn while a listener of thousands of triggers is indexed.
 */
export function* compileDispatchIndex(
  triggers: readonly CompiledTrigger[],
): Generator<void, DispatchIndex | undefined, undefined> {
  const uses = new Map<CompiledFact, number>();
  for (const t of triggers)
    for (const step of planOf(t)?.steps ?? [])
      for (const f of step.requires) uses.set(f, (uses.get(f) ?? 0) + 1);
  const ids = new Map<CompiledFact, number>();
  const idOf = (f: CompiledFact): number => {
    let id = ids.get(f);
    if (id === undefined) ids.set(f, (id = ids.size));
    return id;
  };
  let unkeyed = 0;
  const stepShapes = new Map<DispatchStep, string>();
  const byShape = new Map<
    string,
    { plan: DispatchPlan; namespace: string; step: number; fact: number; members: Member[] }
  >();
  for (const [index, t] of triggers.entries()) {
    yield;
    const plan = planOf(t);
    if (plan === undefined) continue;
    const at = decidingFactOf(plan, uses);
    if (at === undefined) continue;
    const shape = [t.namespace];
    plan.steps.forEach((step, i) => {
      // A step shared by many plans (the same github check) is described once; its text does not
      // change during this call (fact ids are given on first sight).
      const keyed = step.then.kind !== "authenticates" || step.then.authenticator.key !== undefined;
      const known = i === at.step || !keyed ? undefined : stepShapes.get(step);
      if (known !== undefined) {
        shape.push(known);
        return;
      }
      const then =
        step.then.kind !== "authenticates"
          ? step.then.kind
          : `authenticates ${step.then.authenticator.name} ${step.then.authenticator.key ?? `#${unkeyed++}`}`;
      const requires = step.requires.map((f, j) =>
        i === at.step && j === at.fact ? `?${subjectKey(at.decides)}` : String(idOf(f)),
      );
      const text = JSON.stringify([
        step.interceptor,
        step.unless,
        step.parsesBody,
        requires.join(","),
        then,
      ]);
      if (i !== at.step && keyed) stepShapes.set(step, text);
      shape.push(text);
    });
    const key = shape.join("\n");
    let bucket = byShape.get(key);
    if (bucket === undefined)
      byShape.set(
        key,
        (bucket = { plan, namespace: t.namespace, step: at.step, fact: at.fact, members: [] }),
      );
    bucket.members.push({ index, decides: at.decides });
  }
  const buckets: DispatchBucket[] = [];
  for (const b of byShape.values()) {
    if (b.members.length < 2) continue;
    const byValue = new Map<string, number[]>();
    b.members.forEach((m, position) => {
      for (const v of new Set(m.decides.values)) {
        const list = byValue.get(v);
        if (list === undefined) byValue.set(v, [position]);
        else list.push(position);
      }
    });
    buckets.push({ ...b, byValue });
  }
  return buckets.length === 0 ? undefined : { triggers, buckets };
}

interface Member {
  index: number;
  decides: DecidingFact;
}

function planOf(t: CompiledTrigger): DispatchPlan | undefined {
  return t.plan.kind === "plan" ? t.plan.dispatch : undefined;
}

/** The plan's body or header fact shared by the fewest triggers (the first of those). */
function decidingFactOf(
  plan: DispatchPlan,
  uses: ReadonlyMap<CompiledFact, number>,
): { step: number; fact: number; decides: DecidingFact } | undefined {
  let best: { step: number; fact: number; decides: DecidingFact; uses: number } | undefined;
  plan.steps.forEach((step, i) =>
    step.requires.forEach((f, j) => {
      if (f.kind !== "body" && f.kind !== "header") return;
      const n = uses.get(f) ?? 0;
      if (best === undefined || n < best.uses) best = { step: i, fact: j, decides: f, uses: n };
    }),
  );
  return best;
}

/** What a deciding fact looks at: members of a bucket look at the same value. */
function subjectKey(f: DecidingFact): string {
  return f.kind === "body" ? `body ${f.pathKey}` : `header ${f.canonical}`;
}
