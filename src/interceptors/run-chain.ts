import { performance } from "node:perf_hooks";
import { describeError } from "../errors/hookline-error.js";
import type { InterceptorStep } from "../config/compiled.js";
import type { ErrorCode } from "../errors/codes.js";
import type { Logger } from "../core/logger.js";
import type { RuledOutBy } from "../core/ruled-out-by.js";
import { memoJSON } from "../core/memo-json.js";
import { describeUrl } from "../http/describe-url.js";
import {
  SpanKind,
  SpanStatusCode,
  startSpan,
  type SpanParent,
  type StartedSpan,
} from "../core/span-parent.js";
import { callRemoteInterceptor } from "./remote/call-remote-interceptor.js";
import { callWebhook } from "./remote/call-webhook.js";
import type {
  EventBudget,
  InterceptorContext,
  InterceptorRequest,
  InterceptorResponse,
  SecretResolver,
  StatusCodeName,
  TriggerContext,
} from "./types.js";

/** What one interceptor did, for the decision trace. */
export interface InterceptorTrace {
  interceptor: string;
  outcome: "continue" | "stop" | "error";
  code?: StatusCodeName;
  message?: string;
  /** Keys this interceptor added to extensions. */
  extensions?: string[];
  /** Set when this step checked a signature or token (with a secret) and it verified. */
  authenticated?: true;
  durationMs: number;
}

export type ChainResult =
  | {
      kind: "continue";
      extensions: Record<string, unknown>;
      /** The body and headers after the chain: a `webhook:` interceptor may have replaced them. */
      body: Buffer;
      bodyJSON: () => unknown;
      header: Readonly<Record<string, readonly string[]>>;
      trace: InterceptorTrace[];
    }
  | {
      kind: "stop";
      interceptor: string;
      code: StatusCodeName;
      message: string;
      authFailure: boolean;
      notApplicable: boolean;
      /** The interceptor could not make its check (a secret that cannot be read). */
      failure?: { code: ErrorCode };
      /** With `notApplicable`: which fact showed it, when the interceptor said. */
      ruledOutBy?: RuledOutBy;
      trace: InterceptorTrace[];
    }
  | { kind: "error"; interceptor: string; message: string; trace: InterceptorTrace[] };

export interface ChainInput {
  body: Buffer;
  rawBody?: Buffer;
  bodyJSON: () => unknown;
  header: Readonly<Record<string, readonly string[]>>;
  extensions: Readonly<Record<string, unknown>>;
  context: TriggerContext;
}

/**
 * Where a chain is while it runs, for the caller to read when the decision deadline passes before
 * it ends: the interceptor running now (a remote one's URL without credentials or query) and the
 * trace of those that ended. runChain keeps it up to date; it is never read by the chain itself.
 */
export interface ChainProgress {
  running: { interceptor: string; url?: string } | undefined;
  trace: readonly InterceptorTrace[];
}

export interface ChainDeps {
  secrets: SecretResolver;
  receivedAt: Date;
  namespace: string;
  log: Logger;
  signal: AbortSignal;
  /** The event's CPU budget, shared by every trigger of the event. */
  eventBudget: EventBudget;
  /** Where each interceptor's span goes (the trigger's span); undefined: tracing is off. */
  trace?: SpanParent | undefined;
  /** Kept up to date with the step running now (see ChainProgress). */
  progress?: ChainProgress | undefined;
}

/**
 * Runs interceptors in order (TEKTON-SPEC §2.5): each sees the extensions of those before it
 * (shallow-merged: a later interceptor replaces a top-level key), `continue: false` ends the chain,
 * and a thrown error ends it as a failure of this trigger only. A `webhook:` interceptor's answer
 * replaces the body and headers that later interceptors and bindings see.
 */
export async function runChain(
  steps: readonly InterceptorStep[],
  input: ChainInput,
  deps: ChainDeps,
): Promise<ChainResult> {
  let extensions: Record<string, unknown> = { ...input.extensions };
  let body = input.body;
  let bodyJSON = input.bodyJSON;
  let header = input.header;
  let rawBody = input.rawBody;
  const trace: InterceptorTrace[] = [];
  const progress = deps.progress;
  if (progress !== undefined) progress.trace = trace;
  for (const step of steps) {
    const started = performance.now();
    const elapsed = (): number => Math.round((performance.now() - started) * 1000) / 1000;
    if (step.kind === "unavailable") {
      trace.push({ interceptor: step.name, outcome: "error", message: step.reason, durationMs: 0 });
      return { kind: "error", interceptor: step.name, message: step.reason, trace };
    }
    if (progress !== undefined)
      progress.running =
        step.kind === "builtin"
          ? { interceptor: step.name }
          : { interceptor: step.name, url: describeUrl(step.target.url) };
    const span =
      deps.trace === undefined
        ? undefined
        : startSpan(deps.trace, `interceptor ${step.name}`, {
            // A remote interceptor's span is its HTTP client span's parent (the call carries traceparent).
            kind: step.kind === "builtin" ? SpanKind.INTERNAL : SpanKind.CLIENT,
            attributes: {
              "hookline.interceptor": step.name,
              "hookline.interceptor.kind": step.kind,
            },
          });
    const req: InterceptorRequest = {
      body,
      bodyJSON,
      header,
      extensions,
      context: input.context,
      ...(rawBody === undefined ? {} : { rawBody }),
    };
    // A child logger per interceptor costs more than the interceptor itself: made only when used.
    let childLog: Logger | undefined;
    const logFor = (): Logger => (childLog ??= deps.log.child({ interceptor: step.name }));
    const ctx: InterceptorContext = {
      secrets: deps.secrets,
      receivedAt: deps.receivedAt,
      namespace: deps.namespace,
      signal: deps.signal,
      eventBudget: deps.eventBudget,
      get log(): Logger {
        return logFor();
      },
    };
    try {
      let res: InterceptorResponse;
      switch (step.kind) {
        case "builtin":
          res = await step.interceptor.process(req, step.params, ctx);
          break;
        case "remote":
          res = await callRemoteInterceptor(step.target, req, step.params, ctx.signal, span?.child);
          break;
        case "webhook": {
          const answer = await callWebhook(
            step.target,
            step.header,
            { body, header },
            extensions,
            input.context.event_url,
            ctx.signal,
            span?.child,
          );
          // The answer is the event's body from here on, for signature checks too.
          body = answer.body;
          rawBody = answer.body;
          bodyJSON = memoJSON(answer.body);
          header = answer.header;
          res = { continue: true };
          break;
        }
      }
      if (!res.continue) {
        const { code, message } = res.status;
        endStepSpan(span, "stop", code);
        trace.push({
          interceptor: step.name,
          outcome: "stop",
          code,
          message,
          durationMs: elapsed(),
        });
        return {
          kind: "stop",
          interceptor: step.name,
          code,
          message,
          authFailure: res.authFailure === true,
          notApplicable: res.notApplicable === true,
          ...(res.failure === undefined ? {} : { failure: res.failure }),
          ...(res.notApplicable === true && res.ruledOutBy !== undefined
            ? { ruledOutBy: res.ruledOutBy }
            : {}),
          trace,
        };
      }
      endStepSpan(span, "continue", undefined);
      const added = res.extensions === undefined ? [] : Object.keys(res.extensions);
      if (res.extensions !== undefined) extensions = { ...extensions, ...res.extensions };
      trace.push({
        interceptor: step.name,
        outcome: "continue",
        ...(added.length > 0 ? { extensions: added } : {}),
        ...(step.kind === "builtin" && step.authenticate !== undefined
          ? { authenticated: true as const }
          : {}),
        durationMs: elapsed(),
      });
    } catch (err) {
      const message = describeError(err);
      endStepSpan(span, "error", undefined);
      logFor().error("interceptor failed", { error: message });
      trace.push({ interceptor: step.name, outcome: "error", message, durationMs: elapsed() });
      return { kind: "error", interceptor: step.name, message, trace };
    } finally {
      if (progress !== undefined) progress.running = undefined;
    }
  }
  return { kind: "continue", extensions, body, bodyJSON, header, trace };
}

/** An interceptor's span ends with its outcome and code; never its message (it may quote data). */
function endStepSpan(
  span: StartedSpan | undefined,
  outcome: InterceptorTrace["outcome"],
  code: StatusCodeName | undefined,
): void {
  if (span === undefined) return;
  span.span.setAttribute("hookline.outcome", outcome);
  if (code !== undefined) span.span.setAttribute("hookline.interceptor.code", code);
  if (outcome === "error")
    span.span.setStatus({ code: SpanStatusCode.ERROR, message: "the interceptor failed" });
  span.span.end();
}
