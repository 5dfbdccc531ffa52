import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One user of the fake: a password (web login) and an API token (scripts). */
export interface FakeJenkinsUser {
  name: string;
  password: string;
  apiToken: string;
}

/** A build request the fake accepted and queued. */
export interface QueuedBuild {
  job: string;
  /** The query and form parameters, as Jenkins reads them (form fields win). */
  params: Record<string, string>;
  user: string;
  /** Jenkins ignores it; kept to show what each attempt carried. */
  idempotencyKey: string | undefined;
  queueId: number;
}

export interface FakeJenkinsOptions {
  users: FakeJenkinsUser[];
  /** The jobs that exist (`buildWithParameters` on any other is 404). */
  jobs: string[];
  /**
   * The first N accepted builds are queued and then answered only after this long (an answer
   * the client has given up on: the build was started all the same).
   */
  stallFirst?: { count: number; ms: number };
}

export interface FakeJenkins {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  builds: QueuedBuild[];
  /** Every request as received: method, path, the Idempotency-Key and Authorization headers. */
  requests: { method: string; path: string; idempotencyKey: string | undefined }[];
  close(): Promise<void>;
}

/**
 * A fake Jenkins controller on 127.0.0.1:0, speaking the remote access API as Jenkins ≥ 2.96 does:
 * - `GET /crumbIssuer/api/json` → `{"crumb", "crumbRequestField": "Jenkins-Crumb"}` (authenticated);
 * - `POST /job/NAME/buildWithParameters` with parameters in the query or an
 *   `application/x-www-form-urlencoded` body → 201 with `Location: …/queue/item/N/`;
 * - HTTP basic auth: `user:apiToken` needs no crumb (JENKINS-22474, 2.96 / 2.107 LTS);
 *   `user:password` needs the `Jenkins-Crumb` header, else 403 "No valid crumb was included in
 *   the request"; bad credentials → 401; no credentials → 403 (anonymous has no Job/Build).
 * Idempotency-Key is not honoured (Jenkins has no such notion): a retry queues a second build.
 */
export async function createFakeJenkins(options: FakeJenkinsOptions): Promise<FakeJenkins> {
  const builds: QueuedBuild[] = [];
  const requests: FakeJenkins["requests"] = [];
  const crumbs = new Map<string, string>();
  let queueId = 0;
  let stalled = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://jenkins");
      const idempotencyKey = header(req, "idempotency-key");
      requests.push({ method: req.method ?? "", path: url.pathname, idempotencyKey });
      const auth = authenticate(req, options.users);
      if (auth === "bad") return send(res, 401, "Invalid password/token for user");
      if (url.pathname === "/crumbIssuer/api/json" && req.method === "GET") {
        if (auth === undefined) return send(res, 403, "Access denied");
        const crumb = randomBytes(16).toString("hex");
        crumbs.set(auth.user.name, crumb);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify({
            _class: "hudson.security.csrf.DefaultCrumbIssuer",
            crumb,
            crumbRequestField: "Jenkins-Crumb",
          }),
        );
        return;
      }
      const m = /^\/job\/([^/]+)\/buildWithParameters\/?$/.exec(url.pathname);
      if (m === null) return send(res, 404, "Not Found");
      if (req.method !== "POST") return send(res, 405, "Method Not Allowed");
      if (auth === undefined)
        return send(res, 403, "anonymous is missing the Job/Build permission");
      const crumb = crumbs.get(auth.user.name);
      if (auth.by === "password" && (crumb === undefined || header(req, "jenkins-crumb") !== crumb))
        return send(res, 403, "No valid crumb was included in the request");
      const job = decodeURIComponent(m[1] ?? "");
      if (!options.jobs.includes(job)) return send(res, 404, "Not Found");
      const params = Object.fromEntries(url.searchParams);
      if ((header(req, "content-type") ?? "").startsWith("application/x-www-form-urlencoded"))
        Object.assign(
          params,
          Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())),
        );
      const id = ++queueId;
      builds.push({ job, params, user: auth.user.name, idempotencyKey, queueId: id });
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(201, { Location: `http://jenkins/queue/item/${id}/` });
        res.end();
      };
      const stall = options.stallFirst;
      if (stall !== undefined && stalled < stall.count) {
        stalled++;
        setTimeout(answer, stall.ms).unref();
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    builds,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function authenticate(
  req: IncomingMessage,
  users: readonly FakeJenkinsUser[],
): { user: FakeJenkinsUser; by: "token" | "password" } | "bad" | undefined {
  const value = header(req, "authorization");
  if (value === undefined) return undefined;
  const m = /^Basic\s+(.+)$/i.exec(value);
  if (m === null) return "bad";
  const decoded = Buffer.from(m[1] ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const name = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  const user = users.find((u) => u.name === name);
  if (user === undefined || colon < 0) return "bad";
  if (secret === user.apiToken) return { user, by: "token" };
  if (secret === user.password) return { user, by: "password" };
  return "bad";
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/html;charset=utf-8" });
  res.end(`<html><body><h2>HTTP ERROR ${status}</h2><p>${text}</p></body></html>`);
}

/** `Basic base64(user:secret)`: the Authorization value a Jenkins script sends. */
export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}
