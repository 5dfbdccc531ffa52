/**
 * What the interceptor tests (interceptors/<name>/*.test.ts) share: a request as the listener
 * builds it, a fake SecretResolver, the InterceptorContext around it, and the checks of a
 * rejection row and of a ParamError.
 */
import { expect } from "vitest";
import { createLogger, type Logger } from "../../src/log/logger.js";
import type { RuledOutBy } from "../../src/core/ruled-out-by.js";
import {
  ParamError,
  type EventBudget,
  type Interceptor,
  type InterceptorContext,
  type InterceptorRequest,
  type InterceptorResponse,
  type SecretRef,
  type SecretResolver,
  type StatusCodeName,
  type TriggerContext,
} from "../../src/interceptors/public.js";

/** Headers as the listener hands them on: Go-canonical names, every value of each. */
export type HeaderRecord = Record<string, string[]>;

/** The `context` of every test request unless one is given. */
export const DEFAULT_TRIGGER_CONTEXT: TriggerContext = {
  event_url: "/",
  event_id: "e",
  trigger_id: "namespaces/default/triggers/t",
};

/** What makeRequest builds a request from; everything is optional. */
export interface RequestInit {
  /**
   * The body: a string or Buffer is taken as the bytes, anything else is sent as its JSON text,
   * and no body is an empty one.
   */
  body?: unknown;
  /** The headers (Go-canonical names); none by default. */
  header?: HeaderRecord;
  /** The extensions earlier interceptors added; none by default. */
  extensions?: Record<string, unknown>;
  /** Tekton's InterceptorRequest.context; DEFAULT_TRIGGER_CONTEXT by default. */
  context?: TriggerContext;
  /** The body as received, before the form-to-JSON conversion (what Slack signs). */
  rawBody?: string | Buffer | undefined;
}

function bytes(body: unknown): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
}

/**
 * An InterceptorRequest as the listener builds it: `bodyJSON()` parses the body at most once (an
 * empty body is `undefined`, bad JSON throws), as the chain's own memo does.
 */
export function makeRequest(init: RequestInit = {}): InterceptorRequest {
  const raw = bytes(init.body);
  let memo: { value: unknown } | undefined;
  return {
    body: raw,
    bodyJSON: () =>
      (memo ??= {
        value: raw.length === 0 ? undefined : (JSON.parse(raw.toString("utf8")) as unknown),
      }).value,
    header: init.header ?? {},
    extensions: init.extensions ?? {},
    context: init.context ?? DEFAULT_TRIGGER_CONTEXT,
    ...(init.rawBody === undefined ? {} : { rawBody: bytes(init.rawBody) }),
  };
}

/** One lookup a FakeSecrets answered (or refused). */
export interface SecretCall {
  ref: SecretRef;
  ns: string;
}

/** A SecretResolver over a fixed map that records every lookup in `calls`. */
export interface FakeSecrets extends SecretResolver {
  readonly calls: SecretCall[];
}

/**
 * A fake SecretResolver: `values` is keyed as the real resolver keys secrets,
 * `<namespace>/<secretName>/<secretKey>`; an absent key is refused with the real resolver's
 * wording (`cannot find <key> key in secret <namespace>/<name>`). No map: every lookup is refused.
 */
export function fakeSecrets(values: Readonly<Record<string, string>> = {}): FakeSecrets {
  const calls: SecretCall[] = [];
  return {
    calls,
    get: (ref, ns) => {
      calls.push({ ref, ns });
      const value = values[`${ns}/${ref.secretName}/${ref.secretKey}`];
      return value === undefined
        ? Promise.reject(
            new Error(`cannot find ${ref.secretKey} key in secret ${ns}/${ref.secretName}`),
          )
        : Promise.resolve(Buffer.from(value));
    },
  };
}

/** What makeContext builds a context from; anything absent or undefined is the default. */
export interface ContextInit {
  /** fakeSecrets() (every lookup refused) by default. */
  secrets?: SecretResolver | undefined;
  /** "default" by default. */
  namespace?: string | undefined;
  /** A silent logger by default. */
  log?: Logger | undefined;
  /** A signal that never aborts by default. */
  signal?: AbortSignal | undefined;
  /** Now by default. */
  receivedAt?: Date | undefined;
  /** The event's CPU budget; none by default (the cel interceptor then has an unlimited one). */
  eventBudget?: EventBudget | undefined;
}

/** The InterceptorContext an interceptor's `process` gets, from `init` and the defaults. */
export function makeContext(init: ContextInit = {}): InterceptorContext {
  return {
    secrets: init.secrets ?? fakeSecrets(),
    namespace: init.namespace ?? "default",
    log: init.log ?? createLogger({ silent: true }),
    signal: init.signal ?? new AbortController().signal,
    receivedAt: init.receivedAt ?? new Date(),
    ...(init.eventBudget === undefined ? {} : { eventBudget: init.eventBudget }),
  };
}

/** `interceptor` run on `req` with `params` parsed as at load time. */
export async function runInterceptor<P>(
  interceptor: Interceptor<P>,
  params: Record<string, unknown>,
  req: InterceptorRequest,
  ctx: InterceptorContext,
): Promise<InterceptorResponse> {
  return interceptor.process(req, interceptor.parseParams(params), ctx);
}

/** The per-file helpers interceptorHarness returns. */
export interface InterceptorHarness {
  /** A context over a fresh fakeSecrets of the file's map, and the lookups it records. */
  readonly makeCtx: (init?: Omit<ContextInit, "secrets">) => {
    ctx: InterceptorContext;
    calls: SecretCall[];
  };
  /** The interceptor run on `req` with `params`, in `ctx` (a fresh makeCtx() one by default). */
  readonly run: (
    params: Record<string, unknown>,
    req: InterceptorRequest,
    ctx?: InterceptorContext,
  ) => Promise<InterceptorResponse>;
}

/**
 * The `makeCtx` and `run` of a test file for one interceptor: its secrets are
 * fakeSecrets(`secretValues`); what a makeCtx call leaves out comes from `defaults`, then from
 * makeContext's own.
 */
export function interceptorHarness<P>(
  interceptor: Interceptor<P>,
  secretValues: Readonly<Record<string, string>> = {},
  defaults: Omit<ContextInit, "secrets"> = {},
): InterceptorHarness {
  const makeCtx: InterceptorHarness["makeCtx"] = (init = {}) => {
    const secrets = fakeSecrets(secretValues);
    const ctx = makeContext({
      secrets,
      namespace: init.namespace ?? defaults.namespace,
      log: init.log ?? defaults.log,
      signal: init.signal ?? defaults.signal,
      receivedAt: init.receivedAt ?? defaults.receivedAt,
    });
    return { ctx, calls: secrets.calls };
  };
  return {
    makeCtx,
    run: (params, req, ctx = makeCtx().ctx) => runInterceptor(interceptor, params, req, ctx),
  };
}

/** What a rejection must say: its status, and the listener's flags. */
export interface RejectionOutcome {
  code: StatusCodeName;
  message: string;
  authFailure: boolean;
  /** The event is another provider's: its event header is absent. */
  notApplicable?: boolean;
  /** With `notApplicable`: the fact the response must name (left unchecked when not set). */
  ruledOutBy?: RuledOutBy;
}

/** A row of a rejection table (its `params`, and their type, are the file's own). */
export interface Rejection extends RejectionOutcome {
  name: string;
  header: HeaderRecord;
  /** The body to send instead of the file's usual one. */
  body?: string;
}

/**
 * Asserts that `res` is exactly the rejection `row` describes: `continue: false`, its code and
 * message, and `authFailure` / `notApplicable` present (true) only when the row sets them.
 * Returns the response as JSON text, to check that no secret is echoed.
 */
export function expectRejection(res: InterceptorResponse, row: RejectionOutcome): string {
  const ruledOutBy = !res.continue && row.ruledOutBy === undefined ? res.ruledOutBy : undefined;
  if (row.notApplicable !== true) expect(ruledOutBy).toBeUndefined();
  expect(res).toEqual({
    continue: false,
    status: { code: row.code, message: row.message },
    ...(row.authFailure ? { authFailure: true } : {}),
    ...(row.notApplicable === true ? { notApplicable: true } : {}),
    ...(row.ruledOutBy === undefined ? {} : { ruledOutBy: row.ruledOutBy }),
    ...(ruledOutBy === undefined ? {} : { ruledOutBy }),
  });
  return JSON.stringify(res);
}

/** The ParamError `parse(params)` throws; any other outcome fails the test. */
export function paramErrorOf(
  parse: (params: Record<string, unknown>) => unknown,
  params: Record<string, unknown>,
): ParamError {
  try {
    parse(params);
  } catch (err) {
    if (err instanceof ParamError) return err;
    throw err;
  }
  throw new Error("expected a ParamError");
}
