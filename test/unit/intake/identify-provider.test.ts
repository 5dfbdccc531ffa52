import { describe, expect, it } from "vitest";
import { identifyProvider } from "../../../src/intake/identify-provider.js";

describe("identifyProvider", () => {
  it.each([
    {
      name: "GitHub, with its delivery id",
      header: { "X-Github-Event": ["push"], "X-Github-Delivery": ["72d3162e-cc78-11e3-81ab"] },
      want: { provider: "github", deliveryId: "72d3162e-cc78-11e3-81ab" },
    },
    {
      name: "GitHub without a delivery id",
      header: { "X-Github-Event": ["ping"] },
      want: { provider: "github", deliveryId: undefined },
    },
    {
      name: "GitLab: Idempotency-Key first",
      header: {
        "X-Gitlab-Event": ["Push Hook"],
        "X-Gitlab-Event-Uuid": ["uuid-3"],
        "Webhook-Id": ["id-2"],
        "Idempotency-Key": ["key-1"],
      },
      want: { provider: "gitlab", deliveryId: "key-1" },
    },
    {
      name: "GitLab: then Webhook-Id",
      header: {
        "X-Gitlab-Event": ["Push Hook"],
        "X-Gitlab-Event-Uuid": ["u"],
        "Webhook-Id": ["w"],
      },
      want: { provider: "gitlab", deliveryId: "w" },
    },
    {
      name: "GitLab: then X-Gitlab-Event-UUID",
      header: { "X-Gitlab-Event": ["Push Hook"], "X-Gitlab-Event-Uuid": ["u-1"] },
      want: { provider: "gitlab", deliveryId: "u-1" },
    },
    {
      name: "GitLab: a malformed Idempotency-Key gives way to the next header",
      header: {
        "X-Gitlab-Event": ["Push Hook"],
        "Idempotency-Key": ["not ok"],
        "X-Gitlab-Event-Uuid": ["u-2"],
      },
      want: { provider: "gitlab", deliveryId: "u-2" },
    },
    {
      name: "Bitbucket Server",
      header: { "X-Event-Key": ["repo:refs_changed"], "X-Request-Uuid": ["r-1"] },
      want: { provider: "bitbucket", deliveryId: "r-1" },
    },
    {
      name: "Slack: no delivery id even with a Webhook-Id",
      header: { "X-Slack-Signature": ["v0=abc"], "Webhook-Id": ["w"] },
      want: { provider: "slack", deliveryId: undefined },
    },
    {
      name: "generic: Webhook-Id (Standard Webhooks) first",
      header: { "Webhook-Id": ["msg_1"], "Idempotency-Key": ["k"] },
      want: { provider: "generic", deliveryId: "msg_1" },
    },
    {
      name: "generic: then Idempotency-Key",
      header: { "Idempotency-Key": ["k=1"] },
      want: { provider: "generic", deliveryId: "k=1" },
    },
    {
      name: "generic without any id",
      header: { "Content-Type": ["application/json"] },
      want: { provider: "generic", deliveryId: undefined },
    },
    {
      name: "GitHub wins over GitLab headers",
      header: { "X-Gitlab-Event": ["Push Hook"], "X-Github-Event": ["push"] },
      want: { provider: "github", deliveryId: undefined },
    },
    {
      name: "only the first value counts",
      header: { "X-Github-Event": ["push"], "X-Github-Delivery": ["bad value", "good"] },
      want: { provider: "github", deliveryId: undefined },
    },
  ])("$name", ({ header, want }) => {
    expect(identifyProvider(header)).toEqual(want);
  });

  it.each([
    { name: "255 characters", id: "a".repeat(255), kept: true },
    { name: "256 characters", id: "a".repeat(256), kept: false },
    { name: "word characters, = and -", id: "aZ09_=-", kept: true },
    { name: "empty", id: "", kept: false },
    { name: "a space", id: "a b", kept: false },
    { name: "a line break (log injection)", id: "a\nlevel=error", kept: false },
    { name: "a slash", id: "a/b", kept: false },
    { name: "non-ASCII", id: "é", kept: false },
  ])("keeps a delivery id of $name: $kept", ({ id, kept }) => {
    const got = identifyProvider({ "X-Github-Event": ["push"], "X-Github-Delivery": [id] });
    expect(got.deliveryId).toBe(kept ? id : undefined);
  });
});
