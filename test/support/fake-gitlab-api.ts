import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake GitLab knows: merge request diffs by `<project id>!<iid>` (the new paths). */
export interface FakeGitlabData {
  mergeRequestDiffs?: Record<string, string[]>;
  /** Answer this status for a path (below /api/v4), e.g. `{"/projects/1/merge_requests/2/diffs": 500}`. */
  failures?: Record<string, number>;
  /** When set, only `PRIVATE-TOKEN: <it>` (or `Authorization: Bearer <it>`) is answered; others get 401. */
  requiredToken?: string;
}

export interface RecordedGitlabRequest {
  method: string;
  url: string;
  privateToken: string | undefined;
  authorization: string | undefined;
}

export interface FakeGitlabApi {
  /** `http://127.0.0.1:<port>`: the GitLab base URL (the API is below /api/v4). */
  url: string;
  requests: RecordedGitlabRequest[];
  data: FakeGitlabData;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 answering GitLab's
 * `GET /api/v4/projects/:id/merge_requests/:iid/diffs?page&per_page` with GitLab's JSON and paging
 * headers (`X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Prev-Page`, `X-Total`, `X-Total-Pages`,
 * `Link`). `:id` may be a number or a URL-encoded path. Every request is recorded.
 */
export async function createFakeGitlabApi(data: FakeGitlabData = {}): Promise<FakeGitlabApi> {
  const requests: RecordedGitlabRequest[] = [];
  const server = createServer((req, res) => {
    const token = req.headers["private-token"];
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      privateToken: Array.isArray(token) ? token[0] : token,
      authorization: req.headers.authorization,
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

function answer(req: IncomingMessage, res: ServerResponse, data: FakeGitlabData): void {
  const url = new URL(req.url ?? "/", "http://fake");
  if (!url.pathname.startsWith("/api/v4/")) return json(res, 404, { error: "404 Not Found" });
  // Keep %2F inside the project id: split the raw path, then decode each part.
  const path = url.pathname.slice("/api/v4".length);
  if (data.requiredToken !== undefined) {
    const ok =
      req.headers["private-token"] === data.requiredToken ||
      req.headers.authorization === `Bearer ${data.requiredToken}`;
    if (!ok) return json(res, 401, { message: "401 Unauthorized" });
  }
  const failure = data.failures?.[path];
  if (failure !== undefined) return json(res, failure, { message: `${failure} Failure` });
  const seg = path.split("/").slice(1).map(decodeURIComponent);
  if (
    req.method === "GET" &&
    seg.length === 5 &&
    seg[0] === "projects" &&
    seg[2] === "merge_requests" &&
    seg[4] === "diffs"
  ) {
    const paths = data.mergeRequestDiffs?.[`${seg[1]}!${seg[3]}`];
    if (paths === undefined) return json(res, 404, { message: "404 Not found" });
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? "20") || 20, 100);
    const page = Math.max(Number(url.searchParams.get("page") ?? "1") || 1, 1);
    const totalPages = Math.max(Math.ceil(paths.length / perPage), 1);
    const slice = paths.slice((page - 1) * perPage, page * perPage);
    const self = `http://${req.headers.host ?? "fake"}/api/v4${path}`;
    const link = (p: number, rel: string): string =>
      `<${self}?page=${p}&per_page=${perPage}>; rel="${rel}"`;
    const links = [
      ...(page > 1 ? [link(page - 1, "prev")] : []),
      ...(page < totalPages ? [link(page + 1, "next")] : []),
      link(1, "first"),
      link(totalPages, "last"),
    ];
    return json(
      res,
      200,
      slice.map((p) => ({
        old_path: p,
        new_path: p,
        a_mode: "100644",
        b_mode: "100644",
        new_file: false,
        renamed_file: false,
        deleted_file: false,
        diff: "@@ -1 +1 @@\n-a\n+b\n",
      })),
      {
        "x-page": String(page),
        "x-per-page": String(perPage),
        "x-next-page": page < totalPages ? String(page + 1) : "",
        "x-prev-page": page > 1 ? String(page - 1) : "",
        "x-total": String(paths.length),
        "x-total-pages": String(totalPages),
        link: links.join(", "),
      },
    );
  }
  return json(res, 404, { error: "404 Not Found" });
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
