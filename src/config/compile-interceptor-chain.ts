import { parseTimeout } from "../interceptors/remote/parse-timeout.js";
import { resolveInterceptorTarget } from "../interceptors/remote/resolve-interceptor-target.js";
import {
  DEFAULT_INTERCEPTOR_TIMEOUT_MS,
  TIMEOUT_ANNOTATION,
  type RemoteTarget,
} from "../interceptors/remote/types.js";
import type { ChainOwner, CompileContext } from "./compile-context.js";
import { compileWebhookStep } from "./compile-webhook-step.js";
import type { ChainAuthenticator, InterceptorStep } from "./compiled.js";
import { documentError, referenceError, warning } from "./issues.js";
import { DEFAULT_DEADLINE_MS } from "../settings/defaults.js";
import { qualifiedName } from "./resolve-references.js";
import type { ClusterInterceptor, Interceptor, TriggerInterceptor } from "./types.js";

/**
 * Compiles an interceptor chain. Names resolve in this order: the core interceptors (github,
 * gitlab, bitbucket, slack, cel), then plug-ins (both compiled at decode time, whatever the ref's
 * kind), then Interceptor / ClusterInterceptor resources, which are called over HTTP. A ref that
 * resolves to nothing is a reference error and makes the whole chain `{ reason }`.
 */
export function compileInterceptorChain(
  list: readonly TriggerInterceptor[],
  elNamespace: string,
  owner: ChainOwner,
  cx: CompileContext,
): InterceptorStep[] | { reason: string } {
  const steps: InterceptorStep[] = [];
  for (const i of list) {
    if (i.kind === "webhook") {
      steps.push(compileWebhookStep(i, elNamespace, owner, cx));
      continue;
    }
    const compiled = cx.decoded.compiled.get(i);
    if (compiled !== undefined) {
      // One step per compiled params: interceptors that share their params (the decoders give
      // equal core params one object) share the step, its authenticator and its key.
      let step = cx.builtinSteps.get(compiled);
      if (step === undefined) {
        const authenticate = compiled.interceptor.authenticator?.(compiled.params);
        step = {
          kind: "builtin",
          name: i.ref.name,
          interceptor: compiled.interceptor,
          params: compiled.params,
          // Equal params give an equal check: the gate asks it once per event (authenticatorKey).
          ...(authenticate === undefined
            ? {}
            : { authenticate, authKey: authenticatorKey(i.ref.name, i.params) }),
        };
        cx.builtinSteps.set(compiled, step);
      }
      steps.push(step);
      continue;
    }
    if (cx.decoded.builtinNames.has(i.ref.name)) {
      // Its params failed to compile: a document error already says where.
      steps.push({
        kind: "unavailable",
        name: i.ref.name,
        reason: `the ${i.ref.name} interceptor's params are invalid`,
      });
      continue;
    }
    const defined =
      i.ref.kind === "ClusterInterceptor"
        ? cx.refs.get("ClusterInterceptor", "", i.ref.name)
        : cx.refs.get("Interceptor", elNamespace, i.ref.name);
    if (defined !== undefined) {
      const target = remoteTarget(defined, cx);
      if ("reason" in target) {
        steps.push({ kind: "unavailable", name: i.ref.name, reason: target.reason });
        continue;
      }
      const params: Record<string, unknown> = {};
      for (const p of i.params) params[p.name] = p.value;
      steps.push({
        kind: "remote",
        name: i.ref.name,
        resource: `${defined.kind} ${qualifiedName(defined.metadata.namespace, defined.metadata.name)}`,
        target,
        params,
      });
      continue;
    }
    const reason =
      i.ref.kind === "ClusterInterceptor"
        ? `ClusterInterceptor "${i.ref.name}" not found (nor a core interceptor or plug-in of that name)`
        : `NamespacedInterceptor "${i.ref.name}" not found in namespace "${elNamespace}"`;
    cx.issues.push(referenceError({ ...i.loc, field: `${i.loc.field}.ref.name` }, reason));
    return { reason };
  }
  return steps;
}

/** An Interceptor/ClusterInterceptor's URL, CA and timeout, worked out once per object. */
function remoteTarget(
  obj: Interceptor | ClusterInterceptor,
  cx: CompileContext,
): RemoteTarget | { reason: string } {
  const known = cx.remoteTargets.get(obj);
  if (known !== undefined) return known;
  const name = `${obj.kind} "${qualifiedName(obj.metadata.namespace, obj.metadata.name)}"`;
  let out: RemoteTarget | { reason: string };
  const timeoutText = obj.metadata.annotations[TIMEOUT_ANNOTATION];
  const timeoutMs =
    timeoutText === undefined ? DEFAULT_INTERCEPTOR_TIMEOUT_MS : parseTimeout(timeoutText);
  if (timeoutMs === undefined) {
    const message = `invalid timeout "${timeoutText ?? ""}": use e.g. 3s or 500ms`;
    cx.issues.push(
      documentError(
        { ...obj.loc, field: `metadata.annotations["${TIMEOUT_ANNOTATION}"]` },
        message,
      ),
    );
    out = { reason: `${name}: ${message}` };
  } else {
    if (timeoutMs >= DEFAULT_DEADLINE_MS)
      cx.issues.push(
        warning(
          { ...obj.loc, field: `metadata.annotations["${TIMEOUT_ANNOTATION}"]` },
          `timeout ${timeoutText ?? ""} is not under the ${DEFAULT_DEADLINE_MS / 1000} s decision deadline, which stops the call first (the trace then says the trigger timed out waiting for it): use e.g. ${(DEFAULT_DEADLINE_MS - 1000) / 1000}s`,
        ),
      );
    const target = resolveInterceptorTarget(obj.spec.clientConfig, timeoutMs);
    if ("message" in target) {
      cx.issues.push(documentError({ ...obj.loc, field: target.field }, target.message));
      out = { reason: `${name}: ${target.message}` };
    } else {
      out = target;
    }
  }
  cx.remoteTargets.set(obj, out);
  return out;
}

/** The chain's first step, when it is a raw-bytes authenticator (the auth-first gate's). */
export function chainAuthenticator(
  steps: readonly InterceptorStep[],
  authenticators?: Map<InterceptorStep, ChainAuthenticator>,
): ChainAuthenticator | undefined {
  const first = steps[0];
  if (first?.kind !== "builtin" || first.authenticate === undefined) return undefined;
  // With a compilation's memo, one object per (shared) step.
  let authenticator = authenticators?.get(first);
  if (authenticator === undefined) {
    authenticator = {
      name: first.name,
      authenticate: first.authenticate,
      ...(first.authKey === undefined ? {} : { key: first.authKey }),
    };
    authenticators?.set(first, authenticator);
  }
  return authenticator;
}

/**
 * What an authenticator's answer depends on besides the event and the namespace: the interceptor
 * and its params as written. Two steps with the same key check the same thing; params written
 * differently (another key order) only cost a second check.
 */
function authenticatorKey(
  name: string,
  params: readonly { name: string; value: unknown }[],
): string {
  return `${name}\u0000${JSON.stringify(params.map((p) => [p.name, p.value]))}`;
}
