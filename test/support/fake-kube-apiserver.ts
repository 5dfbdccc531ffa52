import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { applyFakePatch, FakePatchError, fakePatchType } from "./apply-fake-patch.js";
import {
  fakeTektonReconcile,
  isFakeTektonRun,
  withFakeRunStatus,
  type FakeRunStatus,
} from "./fake-tekton-controller.js";
import { createTestTls, type TestTls } from "./test-tls.js";

/** One resource type the fake serves, as discovery lists it. */
export interface FakeApiResource {
  /** `v1` for the core group, else `group/version`. */
  groupVersion: string;
  kind: string;
  /** The plural name: the path segment. */
  name: string;
  namespaced: boolean;
  /**
   * Served by a CustomResourceDefinition: a strategic merge patch is refused with 415, as the
   * real API server does for custom resources.
   */
  crd?: boolean;
}

/** What a test makes the fake answer instead of the real thing. */
export type FakeAnswer =
  | {
      kind: "status";
      code: number;
      reason: string;
      message: string;
      /** Sent as the `Retry-After` header and `details.retryAfterSeconds`. */
      retryAfterSeconds?: number;
      /**
       * Carry the request out first, then answer this instead: a create that succeeded but
       * whose answer was lost (a proxy's 502, a connection cut after the commit).
       */
      afterApplying?: boolean;
    }
  /** Never answer (until the fake is stopped): a hung API server. */
  | { kind: "hang" };

export interface RecordedKubeRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  /** The `Impersonate-User` header, if any. */
  impersonateUser: string | undefined;
  /** The `Content-Type` header, if any (a PATCH's says its type). */
  contentType: string | undefined;
  /** Whether the bearer token was right. */
  authenticated: boolean;
}

export interface FakeKubeApiServerOptions {
  /** A fixed port (e.g. one reserved with `reservePort` while the fake is down); default a free one. */
  port?: number;
  /** Start listening at once (default true). */
  listen?: boolean;
  resources?: FakeApiResource[];
  /** Impersonation the fake allows (default: any user); others get 403 as from RBAC. */
  mayImpersonate?: (user: string) => boolean;
  /** Play Tekton's controller on PipelineRuns and TaskRuns (default false): see `tektonController`. */
  tektonController?: boolean;
}

export type { FakeRunStatus } from "./fake-tekton-controller.js";

export interface FakeKubeApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  token: string;
  tls: TestTls;
  requests: RecordedKubeRequest[];
  /** TLS connections accepted so far. */
  readonly connections: number;
  /** Set to answer some requests otherwise; return undefined to answer as usual. */
  intercept: ((req: RecordedKubeRequest) => FakeAnswer | undefined) | undefined;
  /** Every stored object, in creation order. */
  objects(filter?: { kind?: string; namespace?: string }): StoredObject[];
  /** Stores an object as if someone else had created it. */
  put(object: StoredObject): void;
  /**
   * Creates or replaces an object as `kubectl apply` would (a new resourceVersion, a uid kept
   * across updates) and sends ADDED or MODIFIED to the watches that select it.
   */
  apply(object: StoredObject): StoredObject;
  /**
   * Sets a tekton.dev PipelineRun's or TaskRun's `Succeeded` condition (any version; `True` or
   * `False` also sets completionTime), as Tekton's controller would when the run ends, and sends
   * MODIFIED. Throws when there is no such run.
   */
  setRunStatus(
    namespace: string,
    kind: "PipelineRun" | "TaskRun",
    name: string,
    status: FakeRunStatus,
  ): StoredObject;
  /**
   * While true, every write of a tekton.dev PipelineRun or TaskRun (create, patch, replace,
   * apply) is followed by what Tekton's controller would do to its status (a second MODIFIED):
   * `spec.status` Cancelled / CancelledRunFinally / StoppedRunFinally → False/Cancelled,
   * TaskRunCancelled → False/TaskRunCancelled, PipelineRunPending / TaskRunPending →
   * Unknown/<that>, none → Unknown/Running (test/support/fake-tekton-controller.ts). A run done
   * (True/False) is left alone. Default: `options.tektonController`, else false.
   */
  tektonController: boolean;
  /** Deletes an object and sends DELETED to the watches; false when there was none. */
  remove(object: { apiVersion: string; kind: string; name: string; namespace?: string }): boolean;
  /**
   * Forgets the watch history: a watch from an older resourceVersion then gets 410 Gone ("too
   * old resource version"), as after an etcd compaction, and must list again.
   */
  compactHistory(): void;
  /** Ends every open watch (as the API server does at its timeout); clients reconnect. */
  endWatches(): void;
  /** The watches open now. */
  readonly openWatches: number;
  /** A kubeconfig (YAML) for this server: its CA, a bearer token, one context. */
  kubeconfig(options?: { token?: string; namespace?: string }): string;
  /** Writes `kubeconfig()` to DIR/kubeconfig and returns the path. */
  writeKubeconfig(dir: string, options?: { token?: string; namespace?: string }): string;
  /** Listens (again) on the same port. */
  start(): Promise<void>;
  /** Closes the port and every open connection: "connection refused" from now on. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generateName?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** core/v1 Events (create, read, list, merge patch), where hookline reports to `kubectl describe`. */
export const EVENTS_FAKE_RESOURCE: FakeApiResource = {
  groupVersion: "v1",
  kind: "Event",
  name: "events",
  namespaced: true,
};

/**
 * The triggers.tekton.dev kinds (v1beta1 and v1alpha1; Interceptor and ClusterInterceptor in
 * v1alpha1 only, as the real CRDs) and Secrets, for reading the configuration from the cluster.
 */
export const TRIGGERS_FAKE_RESOURCES: FakeApiResource[] = [
  { groupVersion: "v1", kind: "Namespace", name: "namespaces", namespaced: false },
  { groupVersion: "v1", kind: "Secret", name: "secrets", namespaced: true },
  EVENTS_FAKE_RESOURCE,
  ...["v1beta1", "v1alpha1"].flatMap((version): FakeApiResource[] => [
    {
      groupVersion: `triggers.tekton.dev/${version}`,
      kind: "EventListener",
      name: "eventlisteners",
      namespaced: true,
    },
    {
      groupVersion: `triggers.tekton.dev/${version}`,
      kind: "Trigger",
      name: "triggers",
      namespaced: true,
    },
    {
      groupVersion: `triggers.tekton.dev/${version}`,
      kind: "TriggerBinding",
      name: "triggerbindings",
      namespaced: true,
    },
    {
      groupVersion: `triggers.tekton.dev/${version}`,
      kind: "ClusterTriggerBinding",
      name: "clustertriggerbindings",
      namespaced: false,
    },
    {
      groupVersion: `triggers.tekton.dev/${version}`,
      kind: "TriggerTemplate",
      name: "triggertemplates",
      namespaced: true,
    },
  ]),
  {
    groupVersion: "triggers.tekton.dev/v1alpha1",
    kind: "Interceptor",
    name: "interceptors",
    namespaced: true,
  },
  {
    groupVersion: "triggers.tekton.dev/v1alpha1",
    kind: "ClusterInterceptor",
    name: "clusterinterceptors",
    namespaced: false,
  },
];

/** Argo CD's Application, a custom resource (strategic merge patch refused, as for any CRD). */
export const ARGOCD_APPLICATION: FakeApiResource = {
  groupVersion: "argoproj.io/v1alpha1",
  kind: "Application",
  name: "applications",
  namespaced: true,
  crd: true,
};

export const DEFAULT_FAKE_RESOURCES: FakeApiResource[] = [
  { groupVersion: "v1", kind: "Namespace", name: "namespaces", namespaced: false },
  { groupVersion: "v1", kind: "ConfigMap", name: "configmaps", namespaced: true },
  { groupVersion: "v1", kind: "Pod", name: "pods", namespaced: true },
  EVENTS_FAKE_RESOURCE,
  { groupVersion: "tekton.dev/v1", kind: "PipelineRun", name: "pipelineruns", namespaced: true },
  { groupVersion: "tekton.dev/v1", kind: "TaskRun", name: "taskruns", namespaced: true },
  {
    groupVersion: "tekton.dev/v1beta1",
    kind: "PipelineRun",
    name: "pipelineruns",
    namespaced: true,
  },
  { groupVersion: "tekton.dev/v1beta1", kind: "TaskRun", name: "taskruns", namespaced: true },
  ARGOCD_APPLICATION,
];

/** A free loopback port, closed again: a fake API server can start on it later. */
export async function reservePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A FAKE Kubernetes API server (no kube-apiserver can run in the tests) on 127.0.0.1 over TLS
 * with a throw-away CA, speaking the real REST protocol for what hookline uses:
 * - discovery: `GET /api`, `/apis`, `/api/v1`, `/apis/<group>/<version>` (APIResourceList with
 *   plural names, `namespaced` and a `/status` subresource after each resource, as the real one);
 * - `PUT` (replace) of any object it serves (uid kept);
 * - `PATCH` of any object it serves, as `application/merge-patch+json`, `json-patch+json` and
 *   `strategic-merge-patch+json` (415 for a custom resource; 404 when the object is missing);
 * - `DELETE` of an object (200 with the object as it was; 404 Status when missing; DELETED sent);
 * - a merge patch carrying `metadata.resourceVersion` is a precondition: 409 Conflict when the
 *   object has changed since, as the real one (optimistic concurrency);
 * - tekton.dev runs: `setRunStatus` and the `tektonController` mode (status changes driven by
 *   the test, or as Tekton's controller would make them);
 * - `POST` (create, with `generateName`), `GET` (read) and `GET` (list, with `labelSelector`
 *   `k=v`, `k==v`, `k!=v`, `k`, `!k`) of namespaced and cluster-scoped resources (namespaced ones
 *   also across all namespaces);
 * - watch (`?watch=true`, from `resourceVersion`): a chunked stream of JSON lines
 *   `{"type":"ADDED|MODIFIED|DELETED","object":…}`; a resourceVersion older than the history
 *   kept gets one `ERROR` event with a 410 Gone Status, as the real one after a compaction;
 * - `Authorization: Bearer <token>` (401 otherwise), `Impersonate-User` (recorded; 403 when
 *   `mayImpersonate` refuses it);
 * - errors as `kind: Status` bodies with `reason`, `message`, `code` (and `details`).
 * Every request is recorded.
 */
export async function createFakeKubeApiServer(
  options: FakeKubeApiServerOptions = {},
): Promise<FakeKubeApiServer> {
  const tls = createTestTls("fake kube-apiserver CA");
  const token = randomBytes(16).toString("hex");
  const resources = options.resources ?? DEFAULT_FAKE_RESOURCES;
  const store: StoredObject[] = [];
  const requests: RecordedKubeRequest[] = [];
  const sockets = new Set<Socket>();
  let resourceVersion = 1000;
  /** Every change, for watches that start from an older resourceVersion. */
  let history: WatchEvent[] = [];
  /** Watches may start from a resourceVersion after this one (older ones get 410 Gone). */
  let historyFrom = resourceVersion;
  const watches = new Set<OpenWatch>();
  const notify = (type: WatchEvent["type"], object: StoredObject): void => {
    const event: WatchEvent = { type, object, resourceVersion };
    history.push(event);
    for (const w of watches) w.send(event);
  };

  /** Replaces a stored object with `next` (a new resourceVersion) and sends MODIFIED. */
  const update = (found: StoredObject, next: StoredObject): StoredObject => {
    resourceVersion++;
    const stored: StoredObject = {
      ...next,
      metadata: { ...next.metadata, resourceVersion: String(resourceVersion) },
    };
    store[store.indexOf(found)] = stored;
    notify("MODIFIED", stored);
    return stored;
  };
  /** In `tektonController` mode: the status Tekton's controller would set after this write. */
  const reconcile = (stored: StoredObject): void => {
    if (!fake.tektonController || !store.includes(stored)) return;
    const next = fakeTektonReconcile(stored);
    if (next !== undefined) update(stored, withFakeRunStatus(stored, next, new Date()));
  };

  const server: Server = createHttpsServer({ cert: tls.serverCertPem, key: tls.serverKeyPem });
  let connections = 0;
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const fake: FakeKubeApiServer = {
    url: "",
    port: options.port ?? 0,
    token,
    tls,
    requests,
    get connections() {
      return connections;
    },
    intercept: undefined,
    objects: (filter = {}) =>
      store.filter(
        (o) =>
          (filter.kind === undefined || o.kind === filter.kind) &&
          (filter.namespace === undefined || o.metadata.namespace === filter.namespace),
      ),
    put: (object) => void store.push(object),
    apply: (object) => {
      const index = store.findIndex((o) => sameObject(o, object));
      const earlier = index === -1 ? undefined : store[index];
      resourceVersion++;
      const stored: StoredObject = {
        ...object,
        metadata: {
          ...object.metadata,
          uid: earlier?.metadata["uid"] ?? randomUUID(),
          resourceVersion: String(resourceVersion),
          creationTimestamp:
            earlier?.metadata["creationTimestamp"] ??
            new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        },
      };
      if (index === -1) store.push(stored);
      else store[index] = stored;
      notify(index === -1 ? "ADDED" : "MODIFIED", stored);
      reconcile(stored);
      return stored;
    },
    setRunStatus: (namespace, kind, name, status) => {
      const found = store.find(
        (o) =>
          isFakeTektonRun(o) &&
          o.kind === kind &&
          o.metadata.namespace === namespace &&
          o.metadata.name === name,
      );
      if (found === undefined) throw new Error(`no ${kind} ${namespace}/${name} in the fake`);
      return update(found, withFakeRunStatus(found, status, new Date()));
    },
    tektonController: options.tektonController ?? false,
    remove: (ref) => {
      const index = store.findIndex((o) =>
        sameObject(o, {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: {
            name: ref.name,
            ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
          },
        }),
      );
      const removed = index === -1 ? undefined : store.splice(index, 1)[0];
      if (removed === undefined) return false;
      resourceVersion++;
      notify("DELETED", {
        ...removed,
        metadata: { ...removed.metadata, resourceVersion: String(resourceVersion) },
      });
      return true;
    },
    compactHistory: () => {
      history = [];
      historyFrom = resourceVersion;
    },
    endWatches: () => {
      for (const w of [...watches]) w.end();
    },
    get openWatches() {
      return watches.size;
    },
    kubeconfig: (opts = {}) =>
      kubeconfigYaml(fake.url, tls.caPem, opts.token ?? token, opts.namespace),
    writeKubeconfig: (dir, opts = {}) => {
      const path = join(dir, "kubeconfig");
      writeFileSync(path, fake.kubeconfig(opts), { mode: 0o600 });
      return path;
    },
    start: async () => {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(fake.port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      fake.port = (server.address() as AddressInfo).port;
      fake.url = `https://127.0.0.1:${fake.port}`;
    },
    stop: async () => {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const w of [...watches]) w.end();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    close: () => fake.stop(),
  };

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://fake");
      const recorded: RecordedKubeRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        impersonateUser: header(req, "impersonate-user"),
        contentType: header(req, "content-type"),
        authenticated: header(req, "authorization") === `Bearer ${token}`,
      };
      requests.push(recorded);
      if (!recorded.authenticated) return sendStatus(res, 401, "Unauthorized", "Unauthorized");
      const user = recorded.impersonateUser;
      if (
        user !== undefined &&
        options.mayImpersonate !== undefined &&
        !options.mayImpersonate(user)
      ) {
        return sendStatus(
          res,
          403,
          "Forbidden",
          `users "${user}" is forbidden: User "hookline" cannot impersonate resource "users" in API group "" at the cluster scope`,
        );
      }
      const answer = fake.intercept?.(recorded);
      if (answer?.kind === "hang") return; // The socket is destroyed by stop().
      const body = Buffer.concat(chunks).toString("utf8");
      if (answer?.kind === "status") {
        if (answer.afterApplying === true) route(recorded, body, discardingResponse());
        return sendStatus(
          res,
          answer.code,
          answer.reason,
          answer.message,
          answer.retryAfterSeconds,
        );
      }
      route(recorded, body, res);
    });
  });

  const route = (r: RecordedKubeRequest, body: string, res: ServerResponse): void => {
    if (r.method === "GET" && r.path === "/api") {
      return sendJson(res, 200, {
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [],
      });
    }
    if (r.method === "GET" && r.path === "/apis") return sendJson(res, 200, groupList(resources));
    const m =
      /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(
        r.path,
      );
    if (m === null) return notFound(res, r.path);
    const groupVersion = (m[1] ?? m[2]) as string;
    const [, , , namespace, plural, name] = m;
    const served = resources.filter((x) => x.groupVersion === groupVersion);
    if (served.length === 0) return notFound(res, r.path);
    if (plural === undefined && namespace === undefined) {
      if (r.method !== "GET") return methodNotAllowed(res);
      return sendJson(res, 200, resourceList(groupVersion, served));
    }
    // `/api/v1/namespaces/<name>` is a Namespace object, not a namespace prefix.
    let ns = namespace;
    let resourceName = plural;
    let objectName = name;
    if (ns !== undefined && plural === undefined) {
      resourceName = "namespaces";
      objectName = ns;
      ns = undefined;
    }
    const type = served.find((x) => x.name === resourceName);
    // A namespaced kind may also be listed (and watched) across all namespaces.
    const allNamespaces =
      type?.namespaced === true &&
      ns === undefined &&
      r.method === "GET" &&
      objectName === undefined;
    if (type === undefined || (type.namespaced !== (ns !== undefined) && !allNamespaces)) {
      return notFound(res, r.path);
    }
    if (r.method === "GET" && objectName === undefined) return list(type, ns, r.query, res);
    if (r.method === "GET") return read(type, ns, objectName as string, res);
    if (r.method === "POST" && objectName === undefined) return create(type, ns, body, res);
    if (r.method === "PATCH" && objectName !== undefined)
      return patch(type, ns, objectName, r.contentType, body, res);
    if (r.method === "PUT" && objectName !== undefined)
      return replace(type, ns, objectName, body, res);
    if (r.method === "DELETE" && objectName !== undefined) return del(type, ns, objectName, res);
    return methodNotAllowed(res);
  };

  const list = (
    type: FakeApiResource,
    ns: string | undefined,
    query: URLSearchParams,
    res: ServerResponse,
  ): void => {
    const selector = parseSelector(query.get("labelSelector") ?? "");
    if (selector === undefined) {
      return sendStatus(
        res,
        400,
        "BadRequest",
        `unable to parse requirement: ${query.get("labelSelector")}`,
      );
    }
    const selects = (o: StoredObject): boolean =>
      o.apiVersion.split("/")[0] === type.groupVersion.split("/")[0] &&
      o.kind === type.kind &&
      (ns === undefined || o.metadata.namespace === ns) &&
      selector(o.metadata.labels ?? {});
    const watchParam = query.get("watch");
    if (watchParam === "true" || watchParam === "1") {
      return watch(type, selects, query, res);
    }
    const items = store.filter(selects);
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: type.groupVersion,
      metadata: { resourceVersion: String(resourceVersion) },
      items: items.map((o) => ({ ...o, apiVersion: type.groupVersion })),
    });
  };

  const watch = (
    type: FakeApiResource,
    selects: (o: StoredObject) => boolean,
    query: URLSearchParams,
    res: ServerResponse,
  ): void => {
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    // The real one sends the headers at once, before any event.
    res.flushHeaders();
    const line = (type: string, object: unknown): void =>
      void res.write(`${JSON.stringify({ type, object })}\n`);
    const asServed = (o: StoredObject): StoredObject => ({ ...o, apiVersion: type.groupVersion });
    const from = query.get("resourceVersion") ?? "";
    if (from === "" || from === "0") {
      // No resourceVersion: the current state as ADDED events first, as the real one.
      for (const o of store.filter(selects)) line("ADDED", asServed(o));
    } else if (Number(from) < historyFrom) {
      line("ERROR", {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `too old resource version: ${from} (${historyFrom})`,
        reason: "Expired",
        code: 410,
      });
      res.end();
      return;
    } else {
      for (const e of history) {
        if (e.resourceVersion > Number(from) && selects(e.object)) line(e.type, asServed(e.object));
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const open: OpenWatch = {
      send: (e) => {
        if (selects(e.object)) line(e.type, asServed(e.object));
      },
      end: () => {
        if (!watches.delete(open)) return;
        clearTimeout(timer);
        res.end();
      },
    };
    watches.add(open);
    res.on("close", () => {
      watches.delete(open);
      clearTimeout(timer);
    });
    const timeoutSeconds = Number(query.get("timeoutSeconds") ?? "0");
    if (timeoutSeconds > 0) timer = setTimeout(() => open.end(), timeoutSeconds * 1000);
  };

  const find = (
    type: FakeApiResource,
    ns: string | undefined,
    name: string,
  ): StoredObject | undefined =>
    store.find(
      (o) =>
        o.apiVersion.split("/")[0] === type.groupVersion.split("/")[0] &&
        o.kind === type.kind &&
        o.metadata.namespace === ns &&
        o.metadata.name === name,
    );

  const read = (
    type: FakeApiResource,
    ns: string | undefined,
    name: string,
    res: ServerResponse,
  ): void => {
    const found = find(type, ns, name);
    if (found === undefined) {
      return sendStatus(res, 404, "NotFound", `${qualified(type)} "${name}" not found`, undefined, {
        name,
        group: group(type),
        kind: type.name,
      });
    }
    sendJson(res, 200, { ...found, apiVersion: type.groupVersion });
  };

  const create = (
    type: FakeApiResource,
    ns: string | undefined,
    text: string,
    res: ServerResponse,
  ): void => {
    let object: StoredObject;
    try {
      object = JSON.parse(text) as StoredObject;
    } catch (err) {
      return sendStatus(
        res,
        400,
        "BadRequest",
        `the object provided is unrecognized: ${(err as Error).message}`,
      );
    }
    if (object.kind !== type.kind || object.apiVersion !== type.groupVersion) {
      return sendStatus(
        res,
        400,
        "BadRequest",
        `the API version in the data (${object.apiVersion}) does not match the expected API version (${type.groupVersion})`,
      );
    }
    const meta = { ...object.metadata };
    if (ns !== undefined && meta.namespace !== undefined && meta.namespace !== ns) {
      return sendStatus(
        res,
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    if (ns === undefined) delete meta.namespace;
    else meta.namespace = ns;
    if ((meta.name ?? "") === "") {
      if ((meta.generateName ?? "") === "") {
        return sendStatus(
          res,
          422,
          "Invalid",
          `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
          undefined,
          {
            group: group(type),
            kind: type.kind,
            causes: [{ reason: "FieldValueRequired", field: "metadata.name" }],
          },
        );
      }
      meta.name = `${meta.generateName}${randomSuffix()}`;
    }
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name) || meta.name.length > 253) {
      return sendStatus(
        res,
        422,
        "Invalid",
        `${type.kind} "${meta.name}" is invalid: metadata.name: Invalid value: "${meta.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
        undefined,
        { name: meta.name, group: group(type), kind: type.kind },
      );
    }
    if (find(type, ns, meta.name) !== undefined) {
      return sendStatus(
        res,
        409,
        "AlreadyExists",
        `${qualified(type)} "${meta.name}" already exists`,
        undefined,
        {
          name: meta.name,
          group: group(type),
          kind: type.name,
        },
      );
    }
    resourceVersion++;
    const stored: StoredObject = {
      ...object,
      metadata: {
        ...meta,
        name: meta.name,
        uid: randomUUID(),
        resourceVersion: String(resourceVersion),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      },
    };
    store.push(stored);
    notify("ADDED", stored);
    reconcile(stored);
    sendJson(res, 201, stored);
  };

  const patch = (
    type: FakeApiResource,
    ns: string | undefined,
    name: string,
    contentType: string | undefined,
    text: string,
    res: ServerResponse,
  ): void => {
    const patchType = fakePatchType(contentType);
    if (patchType === undefined || (patchType === "strategic" && type.crd === true)) {
      return sendStatus(
        res,
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${type.crd === true ? "" : ", application/strategic-merge-patch+json"}, application/apply-patch+yaml`,
      );
    }
    const found = find(type, ns, name);
    if (found === undefined) {
      return sendStatus(res, 404, "NotFound", `${qualified(type)} "${name}" not found`, undefined, {
        name,
        group: group(type),
        kind: type.name,
      });
    }
    let patched: StoredObject;
    try {
      const parsed = JSON.parse(text) as unknown;
      const precondition = patchType === "json" ? undefined : resourceVersionIn(parsed);
      if (precondition !== undefined && precondition !== found.metadata["resourceVersion"]) {
        return sendStatus(
          res,
          409,
          "Conflict",
          `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          undefined,
          { name, group: group(type), kind: type.name },
        );
      }
      patched = applyFakePatch(found, parsed, patchType) as StoredObject;
    } catch (err) {
      if (err instanceof FakePatchError) return sendStatus(res, err.code, err.reason, err.message);
      return sendStatus(res, 400, "BadRequest", `error decoding patch: ${(err as Error).message}`);
    }
    resourceVersion++;
    const stored: StoredObject = {
      ...patched,
      apiVersion: found.apiVersion,
      kind: found.kind,
      metadata: {
        ...patched.metadata,
        name: found.metadata.name,
        ...(ns === undefined ? {} : { namespace: ns }),
        uid: found.metadata["uid"],
        resourceVersion: String(resourceVersion),
      },
    };
    store[store.indexOf(found)] = stored;
    notify("MODIFIED", stored);
    reconcile(stored);
    sendJson(res, 200, { ...stored, apiVersion: type.groupVersion });
  };

  /** DELETE: gone at once (no finalizers here); the answer is the object as it was, as for a CR. */
  const del = (
    type: FakeApiResource,
    ns: string | undefined,
    name: string,
    res: ServerResponse,
  ): void => {
    const found = find(type, ns, name);
    if (found === undefined) {
      return sendStatus(res, 404, "NotFound", `${qualified(type)} "${name}" not found`, undefined, {
        name,
        group: group(type),
        kind: type.name,
      });
    }
    fake.remove({
      apiVersion: found.apiVersion,
      kind: found.kind,
      name,
      ...(ns === undefined ? {} : { namespace: ns }),
    });
    sendJson(res, 200, { ...found, apiVersion: type.groupVersion });
  };

  /** PUT: the object replaced whole (its uid kept), as `kubectl replace`. */
  const replace = (
    type: FakeApiResource,
    ns: string | undefined,
    name: string,
    text: string,
    res: ServerResponse,
  ): void => {
    const found = find(type, ns, name);
    if (found === undefined) {
      return sendStatus(res, 404, "NotFound", `${qualified(type)} "${name}" not found`, undefined, {
        name,
        group: group(type),
        kind: type.name,
      });
    }
    let object: StoredObject;
    try {
      object = JSON.parse(text) as StoredObject;
    } catch (err) {
      return sendStatus(
        res,
        400,
        "BadRequest",
        `the object provided is unrecognized: ${(err as Error).message}`,
      );
    }
    resourceVersion++;
    const stored: StoredObject = {
      ...object,
      apiVersion: found.apiVersion,
      kind: found.kind,
      metadata: {
        ...object.metadata,
        name,
        ...(ns === undefined ? {} : { namespace: ns }),
        uid: found.metadata["uid"],
        creationTimestamp: found.metadata["creationTimestamp"],
        resourceVersion: String(resourceVersion),
      },
    };
    store[store.indexOf(found)] = stored;
    notify("MODIFIED", stored);
    reconcile(stored);
    sendJson(res, 200, { ...stored, apiVersion: type.groupVersion });
  };

  if (options.listen ?? true) await fake.start();
  else fake.url = `https://127.0.0.1:${fake.port}`;
  return fake;
}

interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: StoredObject;
  resourceVersion: number;
}

interface OpenWatch {
  send(event: WatchEvent): void;
  end(): void;
}

/** The same object: API group (any version), kind, namespace and name. */
function sameObject(a: StoredObject, b: StoredObject): boolean {
  return (
    a.apiVersion.split("/")[0] === b.apiVersion.split("/")[0] &&
    a.kind === b.kind &&
    a.metadata.namespace === b.metadata.namespace &&
    a.metadata.name === b.metadata.name
  );
}

/** A merge patch's `metadata.resourceVersion`: the version it may only apply to. */
function resourceVersionIn(patch: unknown): string | undefined {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return undefined;
  const meta = (patch as Record<string, unknown>)["metadata"];
  if (typeof meta !== "object" || meta === null) return undefined;
  const rv = (meta as Record<string, unknown>)["resourceVersion"];
  return typeof rv === "string" && rv !== "" ? rv : undefined;
}

/** A response nobody reads: for a request carried out whose answer is replaced. */
function discardingResponse(): ServerResponse {
  const noop = (): void => undefined;
  return { setHeader: noop, writeHead: noop, end: noop } as unknown as ServerResponse;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function group(type: FakeApiResource): string {
  return type.groupVersion.includes("/") ? (type.groupVersion.split("/")[0] as string) : "";
}

function qualified(type: FakeApiResource): string {
  const g = group(type);
  return g === "" ? type.name : `${type.name}.${g}`;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendStatus(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  retryAfterSeconds?: number,
  details?: Record<string, unknown>,
): void {
  if (retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(retryAfterSeconds));
  const allDetails = {
    ...details,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  };
  sendJson(res, code, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(Object.keys(allDetails).length === 0 ? {} : { details: allDetails }),
    code,
  });
}

function notFound(res: ServerResponse, path: string): void {
  sendStatus(res, 404, "NotFound", `the server could not find the requested resource (${path})`);
}

function methodNotAllowed(res: ServerResponse): void {
  sendStatus(
    res,
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
  );
}

function groupList(resources: FakeApiResource[]): unknown {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    if (!r.groupVersion.includes("/")) continue;
    const [g, v] = r.groupVersion.split("/") as [string, string];
    const versions = groups.get(g) ?? [];
    if (!versions.includes(v)) versions.push(v);
    groups.set(g, versions);
  }
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

function resourceList(groupVersion: string, served: FakeApiResource[]): unknown {
  const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: served.flatMap((r) => [
      {
        name: r.name,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs,
      },
      {
        name: `${r.name}/status`,
        singularName: "",
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ["get", "patch", "update"],
      },
    ]),
  };
}

/** `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated; undefined when it cannot be parsed. */
function parseSelector(text: string): ((labels: Record<string, string>) => boolean) | undefined {
  const tests: ((labels: Record<string, string>) => boolean)[] = [];
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const m = /^(!?)([A-Za-z0-9./_-]+)(?:\s*(==|=|!=)\s*([A-Za-z0-9._-]*))?$/.exec(part);
    if (m === null) return undefined;
    const [, not, key, op, value] = m as unknown as [
      string,
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    if (op === undefined) tests.push((l) => (not === "!") !== key in l);
    else if (not === "!") return undefined;
    else if (op === "!=") tests.push((l) => l[key] !== value);
    else tests.push((l) => l[key] === value);
  }
  return (labels) => tests.every((t) => t(labels));
}

/** The alphabet and length the API server uses for generateName. */
function randomSuffix(): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join("");
}

function kubeconfigYaml(server: string, caPem: string, token: string, namespace?: string): string {
  const ca = Buffer.from(caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: fake",
    "    cluster:",
    `      server: ${server}`,
    `      certificate-authority-data: ${ca}`,
    "users:",
    "  - name: hookline",
    "    user:",
    `      token: ${token}`,
    "contexts:",
    "  - name: fake",
    "    context:",
    "      cluster: fake",
    "      user: hookline",
    ...(namespace === undefined ? [] : [`      namespace: ${namespace}`]),
    "current-context: fake",
    "",
  ].join("\n");
}
