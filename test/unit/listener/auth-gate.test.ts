import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type {
  CompiledGroup,
  CompiledListener,
  CompiledTrigger,
  InterceptorStep,
} from "../../../src/config/compiled.js";
import { chainAuthenticator } from "../../../src/config/compile-interceptor-chain.js";
import type { IncomingEvent } from "../../../src/core/incoming-event.js";
import { accept, type Interceptor } from "../../../src/interceptors/public.js";
import { authGate } from "../../../src/listener/auth-gate.js";
import { processEvent } from "../../../src/listener/process-event.js";
import { keepsBody } from "../../../src/listener/processed-event.js";
import { compileTemplate } from "../../../src/templates/compile-template.js";
import { github } from "../../../interceptors/github/index.js";
import { createCapturingLogger } from "../../support/capture-logs.js";
import { fakeSecrets } from "../../support/interceptor-harness.js";

const SECRET = "gate-secret";
const secrets = fakeSecrets({ "default/gh/token": SECRET });
const template = compileTemplate(
  {
    params: [],
    resourcetemplates: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" } }],
    loc: { file: "t", line: 1, column: 1, field: "" },
  },
  {},
);

/** A github step as the config compiler makes it, its authenticator included. */
function githubStep(params: Record<string, unknown>): InterceptorStep {
  const parsed = github.parseParams(params);
  const authenticate = github.authenticator?.(parsed);
  return {
    kind: "builtin",
    name: "github",
    interceptor: github,
    params: parsed,
    ...(authenticate === undefined ? {} : { authenticate }),
  };
}

const signed = (types: string[] = ["push"]): InterceptorStep =>
  githubStep({ secretRef: { secretName: "gh", secretKey: "token" }, eventTypes: types });

/** Counts its calls: any trigger reaching it had its chain run past the authenticator. */
function counter(): { step: InterceptorStep; calls: () => number } {
  let n = 0;
  const interceptor: Interceptor<unknown> = {
    name: "counter",
    parseParams: () => undefined,
    process: (req) => {
      n++;
      req.bodyJSON();
      return accept();
    },
  };
  return {
    step: { kind: "builtin", name: "counter", interceptor, params: undefined },
    calls: () => n,
  };
}

function trigger(name: string, steps: InterceptorStep[]): CompiledTrigger {
  const authenticator = chainAuthenticator(steps);
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
      ...(authenticator === undefined ? {} : { authenticator }),
    },
  };
}

function listener(triggers: CompiledTrigger[], groups: CompiledGroup[] = []): CompiledListener {
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

function event(body: string, header: Record<string, string[]>): IncomingEvent {
  return {
    eventId: "e1",
    receivedAt: new Date(),
    method: "POST",
    url: "/",
    header: { "Content-Type": ["application/json"], ...header },
    rawBody: Buffer.from(body),
    provider: "github",
    deliveryId: undefined,
  };
}

const sign = (body: string, secret = SECRET): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const push = (body: string, signature: string): IncomingEvent =>
  event(body, { "X-Github-Event": ["push"], "X-Hub-Signature-256": [signature] });

describe("the auth-first gate", () => {
  const { log } = createCapturingLogger();
  const deps = { secrets, log };

  it("is closed when every trigger's signature check fails, with one rejected trace each", async () => {
    const el = listener([trigger("a", [signed()]), trigger("b", [signed()])]);
    const gate = await authGate(el, push("{}", sign("{}", "wrong")), deps);
    expect(gate.kind).toBe("closed");
    if (gate.kind !== "closed") return;
    expect(gate.traces.map((t) => [t.trigger, t.outcome.kind])).toEqual([
      ["a", "rejected"],
      ["b", "rejected"],
    ]);
    expect(gate.traces[0]?.outcome).toMatchObject({
      interceptor: "github",
      code: "FAILED_PRECONDITION",
      message: "payload signature check failed",
    });
  });

  it("is closed when the others are not for this event (another event type)", async () => {
    const el = listener([trigger("push", [signed()]), trigger("pr", [signed(["pull_request"])])]);
    const gate = await authGate(el, push("{}", "sha256=00"), deps);
    expect(gate.kind === "closed" && gate.traces.map((t) => t.outcome.kind)).toEqual([
      "rejected",
      "not_applicable",
    ]);
    expect(gate.kind === "closed" && gate.traces[1]?.outcome).toEqual({
      kind: "not_applicable",
      interceptor: "github",
      ruledOutBy: {
        fact: "eventType",
        seen: "push",
        expected: ["pull_request"],
        header: "X-GitHub-Event",
      },
      message: "event type push; this trigger listens to pull_request",
    });
  });

  it("is open and says so when one trigger's check passes", async () => {
    const el = listener([trigger("pr", [signed(["pull_request"])]), trigger("push", [signed()])]);
    expect(await authGate(el, push("{}", sign("{}")), deps)).toEqual({
      kind: "open",
      authenticated: true,
    });
  });

  it("is open, running no check, when a trigger has no authenticator", async () => {
    const before = secrets.calls.length;
    const el = listener([trigger("signed", [signed()]), trigger("open", [counter().step])]);
    expect(await authGate(el, push("{}", "sha256=00"), deps)).toEqual({
      kind: "open",
      authenticated: false,
    });
    expect(secrets.calls.length).toBe(before);
  });

  it("is open when a github interceptor has no secret (it authenticates nobody)", async () => {
    const el = listener([trigger("a", [githubStep({ eventTypes: ["push"] })])]);
    expect(el.triggers[0]?.plan.kind === "plan" && el.triggers[0].plan.authenticator).toBe(
      undefined,
    );
    expect((await authGate(el, push("{}", "sha256=00"), deps)).kind).toBe("open");
  });

  it("is open when the check cannot decide (the secret is missing): the chain says why", async () => {
    const missing = githubStep({ secretRef: { secretName: "nope", secretKey: "k" } });
    const el = listener([trigger("a", [missing])]);
    expect((await authGate(el, push("{}", "sha256=00"), deps)).kind).toBe("open");
  });

  it("lets a trigger group's first interceptor decide for all of its triggers", async () => {
    const group: CompiledGroup = {
      name: "g",
      id: "namespaces/default/triggerGroups/g",
      interceptors: [signed()],
      triggers: [trigger("x", [counter().step]), trigger("y", [counter().step])],
      authenticator: chainAuthenticator([signed()]) ?? expect.fail("no authenticator"),
    };
    const gate = await authGate(listener([], [group]), push("{}", "sha256=00"), deps);
    expect(gate.kind === "closed" && gate.traces.map((t) => [t.trigger, t.group, t.via])).toEqual([
      ["x", "g", "group"],
      ["y", "g", "group"],
    ]);
  });
});

describe("processEvent behind the gate", () => {
  const { log } = createCapturingLogger();
  const deps = { secrets, log, deadlineMs: 5_000 };

  it("answers a wrong signature 401 without parsing the body or running the rest of the chain", async () => {
    const rest = counter();
    const el = listener([trigger("a", [signed(), rest.step])]);
    // Not JSON: parsed, it would be the 400 of payload validation.
    const processed = await processEvent(
      { listener: el, event: push("{not json", "sha256=00"), deliveryIdOwner: undefined },
      deps,
    );
    expect(processed.answer.status).toBe(401);
    expect(processed.answer.body).toMatchObject({ code: "HL_LISTENER_UNAUTHENTICATED" });
    expect(processed.outcome).toBe("rejected");
    expect(rest.calls()).toBe(0);
    expect(keepsBody(processed)).toBe(false);
  });

  it("runs the whole pipeline for a good signature, and the event keeps its body though filtered", async () => {
    const el = listener([trigger("pr", [signed(["pull_request"])]), trigger("push", [signed()])]);
    const body = '{"a":1}';
    const rest = counter();
    const processed = await processEvent(
      {
        listener: listener([...el.triggers, trigger("c", [signed(), rest.step])]),
        event: push(body, sign(body)),
        deliveryIdOwner: undefined,
      },
      deps,
    );
    expect(processed.answer.status).toBe(202);
    expect(rest.calls()).toBe(1);
    expect(processed.authenticated).toBe(true);
    expect(keepsBody(processed)).toBe(true);
  });

  it("marks an event authenticated by a chain the gate did not decide (a trigger without one)", async () => {
    const body = "{}";
    const el = listener([trigger("a", [signed()]), trigger("b", [counter().step])]);
    const processed = await processEvent(
      { listener: el, event: push(body, sign(body)), deliveryIdOwner: undefined },
      deps,
    );
    expect(processed.authenticated).toBe(true);
    expect(processed.traces[0]?.interceptors[0]).toMatchObject({ authenticated: true });
  });

  it("keeps today's rule where the gate cannot decide: an unsigned body for a trigger with no check is parsed (400)", async () => {
    const el = listener([trigger("a", [signed()]), trigger("b", [counter().step])]);
    const processed = await processEvent(
      { listener: el, event: push("{not json", "sha256=00"), deliveryIdOwner: undefined },
      deps,
    );
    expect(processed.answer.status).toBe(400);
    expect(keepsBody(processed)).toBe(false);
  });
});
