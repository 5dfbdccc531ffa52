import { createHash } from "node:crypto";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createTestAdmin, type TestAdmin } from "../../support/test-admin.js";
import {
  EXAMPLE_CONFIG,
  EXAMPLE_SECRET,
  githubFixture,
  signGithub,
  wire,
} from "../../support/fixtures.js";

async function push(t: TestAdmin, deliveryId: string): Promise<string> {
  const body = githubFixture("push");
  const res = await request(t.app.server)
    .post("/")
    .set("Content-Type", "application/json")
    .set("X-GitHub-Event", "push")
    .set("X-GitHub-Delivery", deliveryId)
    .set("X-Hub-Signature-256", await signGithub(body, EXAMPLE_SECRET))
    .send(wire(body));
  return (res.body as { eventID: string }).eventID;
}

/** The Replay form's token, read from the event's page as a browser would. */
async function replayToken(t: TestAdmin, id: string): Promise<string> {
  const page = await request(t.admin).get(`/ui/events/${id}`);
  expect(page.status).toBe(200);
  const m = /name="csrf" value="([^"]+)"/.exec(page.text);
  expect(m?.[1]).toBeDefined();
  return m?.[1] ?? "";
}

async function eventCount(t: TestAdmin): Promise<number> {
  const res = await request(t.admin).get("/api/v1/events");
  return (res.body as { events: unknown[] }).events.length;
}

const code = (res: request.Response): unknown =>
  (res.body as { error?: { code?: string } }).error?.code;

describe("the admin port's trust rules", () => {
  let t: TestAdmin | undefined;
  afterEach(async () => t?.app.close());

  it.each([
    {
      name: "a form with Origin",
      type: "application/x-www-form-urlencoded",
      header: ["Origin", "https://evil.example"],
    },
    {
      name: "text/plain with Origin",
      type: "text/plain",
      header: ["Origin", "https://evil.example"],
    },
    {
      name: "a form with Sec-Fetch-Site",
      type: "application/x-www-form-urlencoded",
      header: ["Sec-Fetch-Site", "cross-site"],
    },
    {
      name: "text/plain with Sec-Fetch-Site",
      type: "text/plain",
      header: ["Sec-Fetch-Site", "cross-site"],
    },
    {
      name: "a form from another port (same-site)",
      type: "application/x-www-form-urlencoded",
      header: ["Origin", "http://127.0.0.1:1"],
    },
    {
      name: "a form from an opaque origin",
      type: "application/x-www-form-urlencoded",
      header: ["Origin", "null"],
    },
  ] as const)(
    "refuses a cross-site replay sent as $name, page and API",
    async ({ type, header }) => {
      t = await createTestAdmin(EXAMPLE_CONFIG);
      const id = await push(t, "x-1");
      const token = await replayToken(t, id);
      for (const path of [`/ui/events/${id}/replay`, `/api/v1/events/${id}/replay`]) {
        const res = await request(t.admin)
          .post(path)
          .set("Content-Type", type)
          .set(header[0], header[1])
          .send(type === "text/plain" ? "{}" : `csrf=${encodeURIComponent(token)}`);
        expect(res.status, path).toBe(403);
        expect(code(res), path).toBe("HL_ADMIN_CROSS_SITE");
      }
      expect(await eventCount(t)).toBe(1);
    },
  );

  it("answers 421 to a Host that is not the port's (DNS rebinding), reads included", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await push(t, "h-1");
    for (const path of ["/api/v1/events", `/api/v1/events/${id}`, "/ui/", "/metrics"]) {
      const res = await request(t.admin).get(path).set("Host", "rebind.attacker.test:9090");
      expect(res.status, path).toBe(421);
      expect(code(res), path).toBe("HL_ADMIN_HOST_NOT_ALLOWED");
      expect(res.text, path).not.toContain(id);
    }
    expect((await request(t.admin).get("/ui/").set("Host", "localhost:9090")).status).toBe(200);
  });

  it("accepts a Host listed in allowedHosts (HOOKLINE_ADMIN_HOSTS)", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG, { allowedHosts: ["hookline.internal"] });
    const ok = await request(t.admin).get("/api/v1/events").set("Host", "hookline.internal:9090");
    expect(ok.status).toBe(200);
    const other = await request(t.admin).get("/api/v1/events").set("Host", "other.internal");
    expect(other.status).toBe(421);
  });

  it("refuses a page replay with a missing, forged or another event's CSRF token", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await push(t, "c-1");
    const otherId = await push(t, "c-2");
    const othersToken = await replayToken(t, otherId);
    for (const body of [
      "",
      "csrf=",
      "csrf=1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      `csrf=${encodeURIComponent(othersToken)}`,
    ]) {
      const res = await request(t.admin)
        .post(`/ui/events/${id}/replay`)
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send(body);
      expect(res.status, body).toBe(403);
      expect(code(res), body).toBe("HL_ADMIN_CSRF_INVALID");
    }
    expect(await eventCount(t)).toBe(2);
  });

  it("replays from the page with its own token, same-origin", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await push(t, "s-1");
    const token = await replayToken(t, id);
    const res = await request(t.admin)
      .post(`/ui/events/${id}/replay`)
      .set("Content-Type", "application/x-www-form-urlencoded")
      .set("Sec-Fetch-Site", "same-origin")
      .send(`csrf=${encodeURIComponent(token)}`);
    expect(res.status).toBe(303);
    expect(res.headers["location"]).toMatch(/^\/ui\/events\//);
    expect(res.headers["location"]).not.toBe(`/ui/events/${id}`);
    expect(await eventCount(t)).toBe(2);
  });

  it("answers 415 to an API replay that is not application/json", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await push(t, "j-1");
    for (const type of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const req = request(t.admin).post(`/api/v1/events/${id}/replay`);
      const res = await (type === undefined ? req : req.set("Content-Type", type).send("{}"));
      expect(res.status, String(type)).toBe(415);
      expect(code(res), String(type)).toBe("HL_ADMIN_UNSUPPORTED_MEDIA_TYPE");
    }
    expect(await eventCount(t)).toBe(1);
    const ok = await request(t.admin)
      .post(`/api/v1/events/${id}/replay`)
      .set("Content-Type", "application/json; charset=utf-8");
    expect(ok.status).toBe(202);
  });

  it("sends the security headers on pages, API answers and refusals", async () => {
    t = await createTestAdmin(EXAMPLE_CONFIG);
    const id = await push(t, "k-1");
    const answers = [
      await request(t.admin).get("/ui/"),
      await request(t.admin).get(`/ui/events/${id}`),
      await request(t.admin).get("/api/v1/events"),
      await request(t.admin).get("/ui/").set("Host", "evil.test"),
    ];
    for (const res of answers) {
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(res.headers["x-frame-options"]).toBe("DENY");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("same-origin");
      expect(res.headers["cross-origin-resource-policy"]).toBe("same-origin");
    }
    // The page obeys its own policy: no inline style attributes or event handlers, and its one
    // script is the one the policy allows by hash.
    const csp = String(answers[1]?.headers["content-security-policy"]);
    for (const page of [answers[0]?.text ?? "", answers[1]?.text ?? ""]) {
      expect(page).not.toMatch(/ style="/);
      expect(page).not.toMatch(/ on[a-z]+="/);
      const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
      expect(scripts).toHaveLength(1);
      expect(page.match(/<script/g)).toHaveLength(1);
      for (const script of scripts)
        expect(csp).toContain(
          `script-src 'sha256-${createHash("sha256").update(script).digest("base64")}'`,
        );
    }
  });
});
