import type { ParamSpec } from "../config/types.js";

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
