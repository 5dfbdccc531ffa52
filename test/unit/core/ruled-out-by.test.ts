import { describe, expect, it } from "vitest";
import { describeRuledOut, type RuledOutBy } from "../../../src/core/ruled-out-by.js";

describe("describeRuledOut", () => {
  it.each<{ name: string; ruledOutBy: RuledOutBy; message: string }>([
    {
      name: "another provider's event, the provider unknown",
      ruledOutBy: { fact: "provider", seen: "", expected: "github", header: "X-GitHub-Event" },
      message: "no X-GitHub-Event header",
    },
    {
      name: "another provider's event, the provider known",
      ruledOutBy: {
        fact: "provider",
        seen: "gitlab",
        expected: "github",
        header: "X-GitHub-Event",
      },
      message: "no X-GitHub-Event header (a gitlab event); this trigger is for github",
    },
    {
      name: "an event type the trigger does not list",
      ruledOutBy: { fact: "eventType", seen: "ping", expected: ["push"], header: "X-GitHub-Event" },
      message: "event type ping; this trigger listens to push",
    },
    {
      name: "an empty event type (no double space, no empty name)",
      ruledOutBy: {
        fact: "eventType",
        seen: "",
        expected: ["push", "pull_request"],
        header: "X-GitHub-Event",
      },
      message: "empty X-GitHub-Event header; this trigger listens to push, pull_request",
    },
    {
      name: "an event type of an old journal row (its list not kept)",
      ruledOutBy: { fact: "eventType", seen: "ping", expected: [], header: "X-GitHub-Event" },
      message: "event type ping; this trigger does not listen to it",
    },
    {
      name: "a filter literal",
      ruledOutBy: {
        fact: "filter",
        seen: "acme/other",
        expected: ["acme/app"],
        subject: "body.repository.full_name",
      },
      message: 'body.repository.full_name is "acme/other"; this trigger wants "acme/app"',
    },
    {
      name: "a plug-in's own words",
      ruledOutBy: { fact: "interceptor", seen: "not a tag push", interceptor: "tags-only" },
      message: "not a tag push",
    },
  ])("$name", ({ ruledOutBy, message }) => {
    expect(describeRuledOut(ruledOutBy)).toBe(message);
  });
});
