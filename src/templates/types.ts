import type { ParamSpec } from "../config/types.js";
import type { HttpRequestMethod } from "../core/http-request-entry.js";

/** One piece of a string that holds placeholders. */
export type TextPart =
  { kind: "text"; text: string } | { kind: "param"; name: string } | { kind: "uid" };

/** A resource template compiled at load: rendering walks this, never re-parses text. */
export type TemplateNode =
  | { kind: "constant"; value: unknown }
  | { kind: "text"; parts: TextPart[] }
  | { kind: "object"; entries: { key: TemplateNode; value: TemplateNode }[] }
  | { kind: "list"; items: TemplateNode[] };

export interface CompiledTemplate {
  params: readonly ParamSpec[];
  /** `triggers.tekton.dev/old-escape-quotes` is present on the TriggerTemplate. */
  oldEscapeQuotes: boolean;
  resources: readonly TemplateNode[];
}

/** What a template renders with, per trigger run. */
export interface RenderInput {
  params: ReadonlyMap<string, string>;
  /** One UUID per trigger run, shared by every resource of that run (`$(uid)`). */
  uid: string;
  eventId: string;
  eventListener: string;
  trigger: string;
  /** The trigger's namespace: the default for resources that name none. */
  namespace: string;
}

/** A rendered resource, ready for a sink. */
export interface RenderedResource {
  apiVersion: string;
  kind: string;
  /** Always set: the template's own, or the trigger's. */
  namespace: string;
  /** `metadata.name`, or undefined when the resource uses `generateName`. */
  name: string | undefined;
  generateName: string | undefined;
  body: Record<string, unknown>;
}

/** How the patch is read: Kubernetes' three patch content types. */
export type PatchType = "merge" | "json" | "strategic";

/** The object a patch applies to (every field rendered with params like any value). */
export interface PatchTarget {
  apiVersion: string;
  kind: string;
  name: string;
  /** The template's own, or the trigger's (ignored for a cluster-scoped kind). */
  namespace: string;
}

/** A rendered `hookline.dev/v1alpha1` `Patch`, ready for a sink. */
export interface RenderedPatch {
  target: PatchTarget;
  type: PatchType;
  /** An object for `merge` and `strategic`, a list of RFC 6902 operations for `json`. */
  patch: unknown;
}

/** A header value of an HTTP request: written out, or read from a Secret when it is sent. */
export type HttpHeaderValue =
  | { kind: "literal"; value: string }
  /** Resolved in the trigger's namespace at each attempt; only the reference is stored. */
  | { kind: "secret"; secretRef: { name: string; key: string } };

/** What an HTTP request sends: text as written, an object as JSON, or form fields. */
export type HttpRequestBody =
  | { kind: "text"; text: string }
  | { kind: "json"; value: unknown }
  | { kind: "form"; fields: Record<string, string> };

/** A rendered `hookline.dev/v1alpha1` `HTTPRequest`, ready for the HTTP sink. */
export interface RenderedHttpRequest {
  method: HttpRequestMethod;
  url: string;
  /** In the entry's order; names as written. */
  headers: { name: string; value: HttpHeaderValue }[];
  body: HttpRequestBody | undefined;
  /** The statuses that mean success; undefined: any 2xx. */
  expectedStatuses: number[] | undefined;
  timeoutMs: number;
}
