import type { Logger } from "../core/logger.js";
import type { SpanParent } from "../core/span-parent.js";
import type { CancelledRun, CancelSelector, RunTarget } from "../concurrency/types.js";
import type { RenderedPatch, RenderedResource } from "../templates/types.js";

/**
 * The label on every resource hookline creates: the same on each attempt of its delivery, so a
 * sink that cannot know whether an earlier attempt succeeded can look for it.
 */
export const LABEL_DELIVERY_KEY = "hookline.dev/delivery-key";

/** Where a resource was created. */
export interface CreatedResource {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** A file path for the local sink, an API path for Kubernetes. */
  location: string;
}

/** Where a patch was applied. */
export interface PatchedTarget {
  apiVersion: string;
  kind: string;
  /** Empty for a cluster-scoped object. */
  namespace: string;
  name: string;
  /** A file path for the local sink, an API path for Kubernetes. */
  location: string;
}

export interface CreateContext {
  /** The trigger's serviceAccountName (impersonated by the Kubernetes sink). */
  serviceAccountName: string | undefined;
  /**
   * The trigger's namespace, where Tekton impersonates its service account (TEKTON-SPEC §2.3),
   * whatever namespace the resource names; without it the resource's namespace is used.
   */
  triggerNamespace?: string;
  log: Logger;
  /** The delivery attempt's span: a sink's own calls go under it; undefined: tracing is off. */
  trace?: SpanParent | undefined;
}

export interface PatchContext extends CreateContext {
  /** The delivery's key: the same on every attempt (the local sink names its file with it). */
  deliveryKey: string;
}

/**
 * Creates resources and applies patches (`hookline.dev/v1alpha1` `Patch`). A failure throws a HooklineError whose `details.retryable` tells the
 * delivery worker whether trying again can help.
 */
export interface Sink {
  readonly kind: "local" | "kubernetes";
  create(resource: RenderedResource, ctx: CreateContext): Promise<CreatedResource>;
  /** Applies a patch to an existing object; a target that does not exist is a permanent failure. */
  patch(patch: RenderedPatch, ctx: PatchContext): Promise<PatchedTarget>;
  /**
   * Cancels the runs of a concurrency group the selector names (issue 12): sets their
   * `spec.status`; a run already cancelled or finished is left alone. Returns what it cancelled.
   */
  cancel(selector: CancelSelector, ctx: CreateContext): Promise<CancelledRun[]>;
  /** Starts a queued (Pending) run; one that already started is left alone. */
  start(target: RunTarget, ctx: CreateContext): Promise<CancelledRun>;
}
