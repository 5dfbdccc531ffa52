import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the fake GitHub knows. Keys: `owner/repo#number` for pull requests, `org` for public
 * members, `owner/repo` for collaborators, `owner/repo:path` for contents (a string is a file, a
 * list of names a directory).
 */
export interface FakeGithubData {
  pullFiles?: Record<string, string[]>;
  publicMembers?: Record<string, string[]>;
  collaborators?: Record<string, string[]>;
  contents?: Record<string, string | string[]>;
  /** Answer this status (with GitHub's error JSON) for a path, e.g. `{"/repos/o/r/collaborators/u": 403}`. */
  failures?: Record<string, number>;
  /** When set, only `Authorization: token <it>` or `Bearer <it>` gets answers; others get 401. */
  requiredToken?: string;
}

export interface RecordedGithubRequest {
  method: string;
  /** The path and query as received (with `/api/v3` for Enterprise-style calls). */
  url: string;
  authorization: string | undefined;
  userAgent: string | undefined;
}

export interface FakeGithubApi {
  /** `http://127.0.0.1:<port>`: the API base URL (no trailing slash). */
  url: string;
  requests: RecordedGithubRequest[];
  data: FakeGithubData;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 answering the GitHub REST endpoints the github interceptor
 * calls, with GitHub's JSON, statuses and `Link` paging:
 * - `GET /repos/{o}/{r}/pulls/{n}/files?per_page&page` (the files, `Link: rel="next"/"last"`)
 * - `GET /orgs/{org}/public_members/{user}` (204 or 404)
 * - `GET /repos/{o}/{r}/collaborators/{user}` (204 or 404)
 * - `GET /repos/{o}/{r}/contents/{path}` (base64 content, a directory listing, or 404)
 * Paths may start with `/api/v3` (GitHub Enterprise Server). Every request is recorded.
 */
export async function createFakeGithubApi(data: FakeGithubData = {}): Promise<FakeGithubApi> {
  const requests: RecordedGithubRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      userAgent: req.headers["user-agent"],
    });
    answer(req, res, data);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    data,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, data: FakeGithubData): void {
  const url = new URL(req.url ?? "/", "http://fake");
  const prefix = url.pathname.startsWith("/api/v3/") ? "/api/v3" : "";
  const path = url.pathname.slice(prefix.length);
  if (data.requiredToken !== undefined) {
    const auth = req.headers.authorization ?? "";
    if (auth !== `token ${data.requiredToken}` && auth !== `Bearer ${data.requiredToken}`)
      return json(res, 401, { message: "Bad credentials" });
  }
  const failure = data.failures?.[path];
  if (failure !== undefined) return json(res, failure, { message: `status ${failure}` });
  if (req.method !== "GET") return notFound(res);
  const seg = path.split("/").slice(1).map(decodeURIComponent);

  // GET /repos/{o}/{r}/pulls/{n}/files
  if (seg.length === 6 && seg[0] === "repos" && seg[3] === "pulls" && seg[5] === "files") {
    const files = data.pullFiles?.[`${seg[1]}/${seg[2]}#${seg[4]}`];
    if (files === undefined) return notFound(res);
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? "30") || 30, 100);
    const page = Math.max(Number(url.searchParams.get("page") ?? "1") || 1, 1);
    const last = Math.max(Math.ceil(files.length / perPage), 1);
    const slice = files.slice((page - 1) * perPage, page * perPage);
    const self = `http://${req.headers.host ?? "fake"}${prefix}${path}`;
    const link = (p: number, rel: string): string =>
      `<${self}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links = [
      ...(page > 1 ? [link(page - 1, "prev"), link(1, "first")] : []),
      ...(page < last ? [link(page + 1, "next"), link(last, "last")] : []),
    ];
    return json(
      res,
      200,
      slice.map((filename, i) => ({
        sha: `${(i + 1).toString(16).padStart(40, "0")}`,
        filename,
        status: "modified",
        additions: 1,
        deletions: 0,
        changes: 1,
      })),
      links.length > 0 ? { link: links.join(", ") } : {},
    );
  }
  // GET /orgs/{org}/public_members/{user}
  if (seg.length === 4 && seg[0] === "orgs" && seg[2] === "public_members") {
    const members = data.publicMembers?.[seg[1] ?? ""] ?? [];
    return members.some((m) => m.toLowerCase() === seg[3]?.toLowerCase())
      ? empty(res)
      : notFound(res);
  }
  // GET /repos/{o}/{r}/collaborators/{user}
  if (seg.length === 5 && seg[0] === "repos" && seg[3] === "collaborators") {
    const users = data.collaborators?.[`${seg[1]}/${seg[2]}`] ?? [];
    return users.some((u) => u.toLowerCase() === seg[4]?.toLowerCase())
      ? empty(res)
      : notFound(res);
  }
  // GET /repos/{o}/{r}/contents/{path}
  if (seg.length >= 5 && seg[0] === "repos" && seg[3] === "contents") {
    const file = seg.slice(4).join("/");
    const content = data.contents?.[`${seg[1]}/${seg[2]}:${file}`];
    if (content === undefined) return notFound(res);
    if (Array.isArray(content))
      return json(
        res,
        200,
        content.map((name) => ({ type: "file", name, path: `${file}/${name}` })),
      );
    // GitHub wraps the base64 at 60 characters; go-github and octokit users decode it anyway.
    const b64 = (
      Buffer.from(content)
        .toString("base64")
        .match(/.{1,60}/g) ?? []
    ).join("\n");
    return json(res, 200, {
      type: "file",
      encoding: "base64",
      size: Buffer.byteLength(content),
      name: file.split("/").pop(),
      path: file,
      content: b64,
      sha: "0".repeat(40),
    });
  }
  return notFound(res);
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  json(res, 404, {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest",
    status: "404",
  });
}

function empty(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}
