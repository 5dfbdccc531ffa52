import { describe, expect, it } from "vitest";
import type {
  CompiledListener,
  CompiledTrigger,
  InterceptorStep,
} from "../../../src/config/compiled.js";
import { compileTemplate } from "../../../src/templates/compile-template.js";
import { decideEvent } from "../../../src/listener/decide-event.js";
import { prepareEvent } from "../../../src/listener/prepare-event.js";
import { accept, reject, type Interceptor } from "../../../src/interceptors/public.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

const template = compileTemplate(
  {
    params: [],
    resourcetemplates: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" } }],
    loc: { file: "t", line: 1, column: 1, field: "" },
  },
  {},
);

function step(interceptor: Interceptor<unknown>): InterceptorStep {
  return { kind: "builtin", name: interceptor.name, interceptor, params: undefined };
}

function trigger(name: string, steps: InterceptorStep[]): CompiledTrigger {
  return {
    name,
    namespace: "default",
    id: `namespaces/default/triggers/${name}`,
    via: "inline",
    plan: {
      kind: "plan",
      interceptors: steps,
      bindings: [],
      template,
      templateName: undefined,
      serviceAccountName: undefined,
    },
  };
}

const slow: Interceptor<unknown> = {
  name: "slow",
  parseParams: () => undefined,
  process: (_req, _params, ctx) =>
    new Promise((resolve) => {
      const t = setTimeout(() => resolve(accept()), 5_000);
      ctx.signal.addEventListener("abort", () => clearTimeout(t));
    }),
};
const boom: Interceptor<unknown> = {
  name: "boom",
  parseParams: () => undefined,
  process: () => Promise.reject(new Error("kaboom")),
};
const denies: Interceptor<unknown> = {
  name: "denies",
  parseParams: () => undefined,
  process: () => reject("FAILED_PRECONDITION", "bad token", { authFailure: true }),
};
const adds = (key: string, value: string): Interceptor<unknown> => ({
  name: `adds-${key}`,
  parseParams: () => undefined,
  process: (req) => accept({ [key]: value, seen: Object.keys(req.extensions) }),
});

function listener(
  triggers: CompiledTrigger[],
  groups: CompiledListener["groups"] = [],
): CompiledListener {
  return {
    name: "el",
    namespace: "default",
    uid: "uid",
    payloadValidation: true,
    reply: "honest",
    cloudEventURI: undefined,
    triggers,
    groups,
  };
}

function event(): ReturnType<typeof prepareEvent> {
  return prepareEvent({
    eventId: "e1",
    receivedAt: new Date(),
    method: "POST",
    url: "/",
    header: { "Content-Type": ["application/json"] },
    rawBody: Buffer.from("{}"),
    provider: "generic",
    deliveryId: undefined,
  });
}

describe("decideEvent", () => {
  it("records a trigger still running at the deadline as timed out, and keeps the others' results", async () => {
    const { log } = createCapturingLogger();
    const started = Date.now();
    const decision = await decideEvent(
      listener([trigger("slow", [step(slow)]), trigger("quick", [])]),
      event(),
      { secrets: fakeSecrets(), log, deadlineMs: 100 },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    const outcomes = Object.fromEntries(decision.triggers.map((t) => [t.trigger, t.outcome.kind]));
    expect(outcomes).toEqual({ slow: "timedOut", quick: "fired" });
  });

  it("a timed-out trace names the interceptor running at the deadline and keeps those that ended", async () => {
    const { log } = createCapturingLogger();
    const decision = await decideEvent(
      listener(
        [trigger("own", [step(adds("a", "1")), step(slow)])],
        [
          {
            name: "g",
            id: "namespaces/default/triggerGroups/g",
            interceptors: [step(slow)],
            triggers: [trigger("grouped", [])],
          },
        ],
      ),
      event(),
      { secrets: fakeSecrets(), log, deadlineMs: 100 },
    );
    const byName = Object.fromEntries(decision.triggers.map((t) => [t.trigger, t]));
    expect(byName["own"]?.outcome).toEqual({ kind: "timedOut", afterMs: 100, interceptor: "slow" });
    expect(byName["own"]?.interceptors.map((i) => i.interceptor)).toEqual(["adds-a"]);
    // A group's chain still running: each of its triggers names the group's interceptor.
    expect(byName["grouped"]?.outcome).toEqual({
      kind: "timedOut",
      afterMs: 100,
      interceptor: "slow",
    });
    expect(byName["grouped"]?.group).toBe("g");
  });

  it("keeps one trigger's thrown error to that trigger", async () => {
    const { log } = createCapturingLogger();
    const decision = await decideEvent(
      listener([trigger("a", [step(boom)]), trigger("b", [])]),
      event(),
      { secrets: fakeSecrets(), log, deadlineMs: 1_000 },
    );
    expect(decision.triggers.map((t) => [t.trigger, t.outcome.kind])).toEqual([
      ["a", "failed"],
      ["b", "fired"],
    ]);
    expect(decision.unauthenticated).toBe(false);
  });

  it("is unauthenticated only when every trigger was rejected by a signature check", async () => {
    const { log } = createCapturingLogger();
    const deps = {
      secrets: fakeSecrets(),
      log,
      deadlineMs: 1_000,
    };
    expect(
      (
        await decideEvent(
          listener([trigger("a", [step(denies)]), trigger("b", [step(denies)])]),
          event(),
          deps,
        )
      ).unauthenticated,
    ).toBe(true);
    expect(
      (await decideEvent(listener([trigger("a", [step(denies)]), trigger("b", [])]), event(), deps))
        .unauthenticated,
    ).toBe(false);
    expect((await decideEvent(listener([]), event(), deps)).unauthenticated).toBe(false);
  });

  it("merges extensions down the chain, and a group's extensions reach its triggers", async () => {
    const { log } = createCapturingLogger();
    const group = {
      name: "g",
      id: "namespaces/default/triggerGroups/g",
      interceptors: [step(adds("fromGroup", "1"))],
      triggers: [trigger("member", [step(adds("own", "2"))])],
    };
    const decision = await decideEvent(
      listener([trigger("chain", [step(adds("first", "x")), step(adds("second", "y"))])], [group]),
      event(),
      {
        secrets: fakeSecrets(),
        log,
        deadlineMs: 1_000,
      },
    );
    const chain = decision.triggers.find((t) => t.trigger === "chain");
    expect(chain?.extensions).toEqual({ first: "x", second: "y", seen: ["first", "seen"] });
    const member = decision.triggers.find((t) => t.trigger === "member");
    expect(member?.group).toBe("g");
    expect(member?.extensions).toEqual({ fromGroup: "1", own: "2", seen: ["fromGroup", "seen"] });
    expect(member?.interceptors.map((i) => i.interceptor)).toEqual(["adds-fromGroup", "adds-own"]);
  });
});
