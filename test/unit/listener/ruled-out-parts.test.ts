import { describe, expect, it } from "vitest";
import type { CompiledListener } from "../../../src/config/compiled.js";
import type { IncomingEvent } from "../../../src/core/incoming-event.js";
import { createSecretValues } from "../../../src/core/secret-values.js";
import { processEvent } from "../../../src/listener/process-event.js";
import { toStoredEvent } from "../../../src/listener/to-stored-event.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { compileConfigText } from "../../support/compile-config-text.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

// The dispatch index hands the events that find the same value the same frozen not-applicable
// array (src/listener/ruled-out-parts.ts); what is derived from it must stay right.

function listenerOf(repos: readonly string[], extra = ""): CompiledListener {
  const triggers = repos.map(
    (repo, i) => `
    - name: t${i}
      interceptors:
        - ref: { name: cel }
          params: [{ name: filter, value: "body.repo == '${repo}'" }]
      template: { ref: tt }`,
  );
  const config = compileConfigText(`
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: { name: tt }
spec:
  resourcetemplates:
    - { apiVersion: v1, kind: ConfigMap, metadata: { generateName: cm- } }
---
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: { name: el }
spec:
  triggers:${triggers.join("")}${extra}
`);
  const el = config.listeners[0];
  if (el === undefined) throw new Error(JSON.stringify(config.issues));
  return el;
}

function eventOf(repo: string, kind = "push"): IncomingEvent {
  return {
    eventId: `e-${repo}`,
    receivedAt: new Date(0),
    method: "POST",
    url: "/",
    header: { "Content-Type": ["application/json"], "X-Kind": [kind] },
    rawBody: Buffer.from(JSON.stringify({ repo, kind })),
    provider: "generic",
    deliveryId: undefined,
  };
}

const { log } = createCapturingLogger();
const deps = { secrets: fakeSecrets({}), log, deadlineMs: 5_000 };
const process = (listener: CompiledListener, event: IncomingEvent) =>
  processEvent({ listener, event, deliveryIdOwner: undefined }, deps);

describe("shared not-applicable lists", () => {
  const repos = ["repo-one", "repo-two", "repo-three", "repo-four"];

  it("gives the events that find the same value the same frozen array, in trigger order", async () => {
    const el = listenerOf(repos);
    expect(el.dispatchIndex?.buckets.length).toBe(1);
    const a = await process(el, eventOf("repo-two"));
    const b = await process(el, eventOf("repo-two"));
    expect(a.traces.map((t) => [t.trigger, t.outcome.kind])).toEqual([["t1", "fired"]]);
    expect(b.notApplicable).toBe(a.notApplicable);
    expect(Object.isFrozen(a.notApplicable)).toBe(true);
    expect(a.notApplicable.map((n) => n.trigger)).toEqual(["t0", "t2", "t3"]);
    expect(a.notApplicable[0]?.ruledOutBy).toEqual({
      fact: "filter",
      seen: "repo-two",
      expected: ["repo-one"],
      subject: "body.repo",
    });
    const c = await process(el, eventOf("repo-three"));
    expect(c.notApplicable).not.toBe(a.notApplicable);
    expect(c.notApplicable.map((n) => n.trigger)).toEqual(["t0", "t1", "t3"]);
  });

  it("quotes each other value it saw: no event gets the list of another's value", async () => {
    const el = listenerOf(repos);
    const seen = async (repo: string) =>
      (await process(el, eventOf(repo))).notApplicable.map((n) => n.ruledOutBy.seen);
    expect(await seen("elsewhere-1")).toEqual(repos.map(() => "elsewhere-1"));
    expect(await seen("elsewhere-2")).toEqual(repos.map(() => "elsewhere-2"));
    expect(await seen("elsewhere-1")).toEqual(repos.map(() => "elsewhere-1"));
    const again = await process(el, eventOf("elsewhere-1"));
    expect((await process(el, eventOf("elsewhere-1"))).notApplicable).toBe(again.notApplicable);
  });

  it("merges two buckets' parts and a trigger that ran and did not apply, in trigger order", async () => {
    const kinds = `
    - name: k0
      interceptors:
        - ref: { name: cel }
          params: [{ name: filter, value: "header.match('X-Kind', 'tag')" }]
      template: { ref: tt }
    - name: k1
      interceptors:
        - ref: { name: cel }
          params: [{ name: filter, value: "header.match('X-Kind', 'release')" }]
      template: { ref: tt }
    - name: open
      interceptors:
        - ref: { name: cel }
          params: [{ name: filter, value: "body.kind == 'nothing'" }]
      template: { ref: tt }`;
    const el = listenerOf(repos, kinds);
    const { dispatchIndex: _index, ...exhaustive } = el;
    const a = await process(el, eventOf("repo-one"));
    const b = await process(el, eventOf("repo-one"));
    const walked = await process(exhaustive, eventOf("repo-one"));
    expect(a.notApplicable.map((n) => n.trigger)).toEqual(["t1", "t2", "t3", "k0", "k1", "open"]);
    expect(b.notApplicable).toEqual(a.notApplicable);
    // The entries of the shared parts are the same objects, only the array is new.
    expect(b.notApplicable[0]).toBe(a.notApplicable[0]);
    expect(a.notApplicable).toEqual(walked.notApplicable);
  });

  it("redacts a shared list again when the secret values change", async () => {
    const el = listenerOf(repos);
    const values = createSecretValues();
    values.learn("unrelated-secret");
    const store = async () => {
      const p = await process(el, eventOf("elsewhere"));
      const stored = toStoredEvent(eventOf("elsewhere"), el, 202, p.outcome, p, values);
      return stored.notApplicable ?? [];
    };
    const before = await store();
    expect(before.map((n) => n.ruledOutBy)).toContainEqual(
      expect.objectContaining({ expected: ["repo-two"] }),
    );
    expect(await store()).toBe(before);
    // A config literal that turns out to be a secret's value: redacted from now on.
    values.learn("repo-two");
    const after = await store();
    expect(JSON.stringify(after)).not.toContain("repo-two");
    expect(after.map((n) => n.trigger)).toEqual(["t0", "t1", "t2", "t3"]);
    // Another SecretValues with the same size is not the first one's memo.
    const other = createSecretValues();
    other.learn("unrelated-secret");
    other.learn("repo-four");
    const p = await process(el, eventOf("elsewhere"));
    const stored = toStoredEvent(eventOf("elsewhere"), el, 202, p.outcome, p, other);
    expect(JSON.stringify(stored.notApplicable)).not.toContain("repo-four");
    expect(JSON.stringify(stored.notApplicable)).toContain("repo-two");
  });
});
