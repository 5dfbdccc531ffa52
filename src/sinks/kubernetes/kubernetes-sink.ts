import { ApiException, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { HooklineError } from "../../errors/hookline-error.js";
import type { Logger } from "../../core/logger.js";
import { SpanKind, SpanStatusCode, startSpan } from "../../core/span-parent.js";
import { describePatchTarget } from "../../core/patch-entry.js";
import type { RenderedPatch, RenderedResource } from "../../templates/types.js";
import {
  LABEL_DELIVERY_KEY,
  type CreateContext,
  type CreatedResource,
  type PatchContext,
  type PatchedTarget,
  type Sink,
} from "../types.js";
import { applyPatch } from "./apply-patch.js";
import { classifyKubeError, parseStatus, type KubeStatus } from "./classify-kube-error.js";
import { createObjectClient, type ObjectClient } from "./create-object-client.js";
import { loadKubeConfig } from "./load-kube-config.js";
import type { CancelledRun, CancelSelector } from "../../concurrency/types.js";
import type { StartDelivery } from "../../store/types.js";
import { cancelGroupRuns, startGroupRun } from "./group-ops.js";

export interface KubernetesSinkConfig {
  /** Default: found as kubectl finds it (`loadKubeConfig`). */
  kubeConfig?: KubeConfig;
  /** Each request to the API server (default 15 s). */
  requestTimeoutMs?: number;
  /**
   * One whole create, all its requests together (default 45 s): under the delivery worker's
   * 60 s claim, so a slow API server cannot make two workers deliver the same run at once.
   */
  deadlineMs?: number;
}

/**
 * Creates each rendered resource through the Kubernetes API: any apiVersion and kind (the
 * dynamic object API finds the plural name and scope by discovery), in the resource's namespace,
 * as `system:serviceaccount:<trigger namespace>:<serviceAccountName>` when the trigger names one,
 * as Tekton does. One client per impersonated user, each with its own discovery cache.
 *
 * Idempotent by delivery key (`hookline.dev/delivery-key`): a named resource that already exists
 * and carries this delivery's key was created by an earlier attempt, which is success; a
 * `generateName` resource cannot collide, so the sink first lists the namespace by that label
 * and takes a found object as the earlier attempt's. It lists before every such create, not only
 * on retries: after a crash nothing tells a first attempt from a retry. The cost is one more
 * round trip (against the test server, over a reused connection: 2.3 ms a create with the list,
 * 1.2 ms without), small beside the admission webhooks a real PipelineRun create goes through.
 */
export function createKubernetesSink(config: KubernetesSinkConfig): Sink {
  const requestTimeoutMs = config.requestTimeoutMs ?? 15_000;
  const deadlineMs = config.deadlineMs ?? 45_000;
  const kubeConfig = config.kubeConfig ?? loadKubeConfig();
  const clients = new Map<string, ObjectClient>();
  const clientFor = (user: string | undefined): ObjectClient => {
    const key = user ?? "";
    let client = clients.get(key);
    if (client === undefined) {
      client = createObjectClient(kubeConfig, {
        impersonate: user,
        timeoutMs: requestTimeoutMs,
      });
      clients.set(key, client);
    }
    return client;
  };

  return {
    kind: "kubernetes",
    async create(resource: RenderedResource, ctx: CreateContext): Promise<CreatedResource> {
      const user = impersonated(ctx, resource.namespace);
      const what = `${resource.kind} "${resource.namespace}/${resource.name ?? resource.generateName ?? ""}"`;
      const span =
        ctx.trace === undefined
          ? undefined
          : startSpan(ctx.trace, `kubernetes create ${resource.kind}`, {
              kind: SpanKind.CLIENT,
              attributes: {
                "k8s.namespace.name": resource.namespace,
                "hookline.resource.api_version": resource.apiVersion,
                "hookline.resource.kind": resource.kind,
              },
            });
      try {
        const created = await withDeadline(what, "create", deadlineMs, () =>
          createOnce(clientFor(user), resource, user, what, ctx.log),
        );
        span?.span.setAttribute("hookline.resource.name", created.name);
        span?.span.end();
        return created;
      } catch (err) {
        const code = err instanceof HooklineError ? err.code : "error";
        span?.span.setAttribute("error.type", code);
        span?.span.setStatus({ code: SpanStatusCode.ERROR, message: code });
        span?.span.end();
        throw err;
      }
    },
    async patch(patch: RenderedPatch, ctx: PatchContext): Promise<PatchedTarget> {
      const user = impersonated(ctx, patch.target.namespace);
      const what = `Patch of ${describePatchTarget(patch.target)}`;
      return withDeadline(what, "patch", deadlineMs, () =>
        applyPatch(clientFor(user), patch, what, user, ctx.log),
      );
    },
    // Concurrency groups (issue 12): as the trigger's service account, as create is.
    async cancel(selector: CancelSelector, ctx: CreateContext): Promise<CancelledRun[]> {
      const user = impersonated(ctx, selector.namespace);
      const what = `Cancel of the ${selector.kind}s of group ${selector.groupHash} in "${selector.namespace}"`;
      return withDeadline(what, "cancel", deadlineMs, () =>
        cancelGroupRuns(clientFor(user), selector, ctx.log),
      );
    },
    async start(target: StartDelivery["target"], ctx: CreateContext): Promise<CancelledRun> {
      const user = impersonated(ctx, target.namespace);
      const what = `Start of ${target.kind} "${target.namespace}/${target.name}"`;
      return withDeadline(what, "start", deadlineMs, () =>
        startGroupRun(clientFor(user), target, ctx.log),
      );
    },
  };
}

/** Tekton's rule: the trigger's service account, in the trigger's namespace (TEKTON-SPEC §2.3). */
function impersonated(ctx: CreateContext, fallbackNamespace: string): string | undefined {
  const triggerNamespace = ctx.triggerNamespace ?? fallbackNamespace;
  return ctx.serviceAccountName === undefined
    ? undefined
    : `system:serviceaccount:${triggerNamespace}:${ctx.serviceAccountName}`;
}

/** One whole create or patch, all its requests together, within `deadlineMs`; errors classified. */
async function withDeadline<T>(
  what: string,
  action: string,
  deadlineMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HooklineError(
            "HL_SINK_WRITE_FAILED",
            `${what}: the Kubernetes API did not answer: the whole ${action} took over ${deadlineMs} ms`,
            { retryable: true, reason: "Timeout" },
          ),
        ),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([run(), deadline]);
  } catch (err) {
    throw classifyKubeError(err, what);
  } finally {
    clearTimeout(timer);
  }
}

async function createOnce(
  client: ObjectClient,
  resource: RenderedResource,
  user: string | undefined,
  what: string,
  log: Logger,
): Promise<CreatedResource> {
  const { apiVersion, kind } = resource;
  const api = await client.discover(apiVersion, kind);
  if (api === undefined) {
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `${what}: the Kubernetes API serves no kind "${kind}" in "${apiVersion}" (is its CustomResourceDefinition installed?)`,
      { retryable: false, status: 404, reason: "NotFound" },
    );
  }
  const namespace = api.namespaced ? resource.namespace : undefined;
  const where = (name: string, ns: string | undefined): CreatedResource => ({
    apiVersion,
    kind,
    namespace: ns ?? "",
    name,
    location: apiPath(apiVersion, api.name, ns, name),
  });
  const meta = asRecord(resource.body["metadata"]);
  const key = asRecord(meta["labels"])[LABEL_DELIVERY_KEY];
  const deliveryKey = typeof key === "string" ? key : undefined;

  if (resource.name === undefined && deliveryKey !== undefined) {
    const found = await findByDeliveryKey(client, resource, namespace, deliveryKey, user, log);
    if (found !== undefined) {
      log.info("resource was created by an earlier attempt", { kind, namespace, name: found });
      return where(found, namespace);
    }
  }

  const { namespace: _ignored, ...restMeta } = meta;
  const body: KubernetesObject = {
    ...resource.body,
    apiVersion,
    kind,
    metadata: { ...restMeta, ...(namespace === undefined ? {} : { namespace }) },
  };
  log.debug("creating resource through the Kubernetes API", { kind, namespace, as: user });
  try {
    const created = await client.create(body);
    return where(created.metadata?.name ?? resource.name ?? "", created.metadata?.namespace);
  } catch (err) {
    if (!isAlreadyExists(err) || resource.name === undefined) throw err;
    // A named resource that exists: ours if it carries this delivery's key (an earlier attempt
    // whose answer was lost), someone else's otherwise.
    const name = resource.name;
    let existing: KubernetesObject;
    try {
      existing = await client.read({
        apiVersion,
        kind,
        metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
      });
    } catch (readErr) {
      const cause = classifyKubeError(readErr, what);
      // Gone again since the 409: try the create again later.
      const retryable = cause.details["status"] === 404 || cause.details["retryable"] === true;
      throw new HooklineError(
        "HL_SINK_ALREADY_EXISTS",
        `${what} already exists and could not be read to see whether an earlier attempt created it: ${cause.message}`,
        { retryable, status: 409, reason: "AlreadyExists" },
        { cause: readErr },
      );
    }
    if (
      deliveryKey !== undefined &&
      existing.metadata?.labels?.[LABEL_DELIVERY_KEY] === deliveryKey
    ) {
      log.info("resource was created by an earlier attempt", { kind, namespace, name });
      return where(name, existing.metadata.namespace ?? namespace);
    }
    throw new HooklineError(
      "HL_SINK_ALREADY_EXISTS",
      `${what}: the Kubernetes API answered 409 AlreadyExists: ${statusMessage(err) ?? "already exists"}`,
      { retryable: false, status: 409, reason: "AlreadyExists" },
      { cause: err },
    );
  }
}

/**
 * The name of an object this delivery already created, found by its delivery-key label. A lookup
 * the service account may not make (403) is skipped with a warning: the create goes ahead, and
 * only a crash between a create and its record could then make a second copy.
 */
async function findByDeliveryKey(
  client: ObjectClient,
  resource: RenderedResource,
  namespace: string | undefined,
  deliveryKey: string,
  user: string | undefined,
  log: Logger,
): Promise<string | undefined> {
  try {
    const list = await client.list(
      resource.apiVersion,
      resource.kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      `${LABEL_DELIVERY_KEY}=${deliveryKey}`,
    );
    return list.items.find((item) => item.metadata?.name !== undefined)?.metadata?.name;
  } catch (err) {
    if (err instanceof ApiException && err.code === 403) {
      log.warn("cannot list resources to look for an earlier attempt; creating without looking", {
        kind: resource.kind,
        namespace,
        as: user,
        reason: statusMessage(err),
      });
      return undefined;
    }
    throw err;
  }
}

function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiException && err.code === 409 && statusOf(err)?.reason !== "Conflict";
}

function statusMessage(err: unknown): string | undefined {
  return statusOf(err)?.message;
}

function statusOf(err: unknown): KubeStatus | undefined {
  return err instanceof ApiException ? parseStatus(err.code, err.body) : undefined;
}

/** The object's path on the API server, e.g. `/apis/tekton.dev/v1/namespaces/ci/pipelineruns/x`. */
function apiPath(
  apiVersion: string,
  plural: string,
  namespace: string | undefined,
  name: string,
): string {
  const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = namespace === undefined ? "" : `/namespaces/${namespace}`;
  return `${root}${ns}/${plural}/${name}`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
