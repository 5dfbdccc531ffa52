import type { ErrorCode } from "../errors/codes.js";

/**
 * Tekton Triggers resources as hookline holds them after load: decoded, validated and normalised
 * to v1beta1 (v1alpha1's legacy inline interceptors converted, defaults applied). Nothing here is
 * re-checked at request time.
 */

/** Where something was written: the place every config error names. */
export interface Loc {
  file: string;
  line: number;
  column: number;
  /** Field path inside the document, e.g. `spec.triggers[0].bindings[1].ref`. */
  field: string;
}

export interface ObjectMeta {
  name: string;
  /** `default` when not given; "" for cluster-scoped kinds. */
  namespace: string;
  uid?: string;
  generateName?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

export interface NamespaceSelector {
  matchNames: string[];
}

export type BindingKind = "TriggerBinding" | "ClusterTriggerBinding";

export type TriggerSpecBinding =
  | { kind: "ref"; ref: string; bindingKind: BindingKind; loc: Loc }
  | { kind: "inline"; name: string; value: string; loc: Loc; valueLoc: Loc };

export interface Param {
  name: string;
  value: string;
  loc: Loc;
  /** Where the value itself is written (errors about the value point here). */
  valueLoc: Loc;
}

export interface ParamSpec {
  name: string;
  description?: string;
  default?: string;
}

export interface TriggerTemplateSpec {
  params: ParamSpec[];
  /** Each entry as JSON (RawExtension); `kind` and `apiVersion` are checked at load. */
  resourcetemplates: Record<string, unknown>[];
  loc: Loc;
}

export type TriggerSpecTemplate =
  { kind: "ref"; ref: string; loc: Loc } | { kind: "inline"; spec: TriggerTemplateSpec; loc: Loc };

export type InterceptorKind = "ClusterInterceptor" | "NamespacedInterceptor";

export interface InterceptorParam {
  name: string;
  /** Any JSON (apiextensionsv1.JSON). */
  value: unknown;
  loc: Loc;
}

export type TriggerInterceptor =
  | {
      kind: "ref";
      name?: string;
      ref: { name: string; kind: InterceptorKind; apiVersion?: string };
      params: InterceptorParam[];
      loc: Loc;
    }
  | {
      kind: "webhook";
      name?: string;
      webhook: { url?: string; objectRef?: Record<string, unknown>; header: unknown[] };
      loc: Loc;
    };

export interface TriggerSpec {
  name?: string;
  bindings: TriggerSpecBinding[];
  template?: TriggerSpecTemplate;
  interceptors: TriggerInterceptor[];
  serviceAccountName?: string;
}

export interface EventListenerTrigger extends TriggerSpec {
  triggerRef?: { name: string; loc: Loc };
  loc: Loc;
}

export interface TriggerGroup {
  name: string;
  interceptors: TriggerInterceptor[];
  triggerSelector: { namespaceSelector?: NamespaceSelector; labelSelector?: LabelSelector };
  loc: Loc;
}

interface Resource<K extends string, S> {
  kind: K;
  apiVersion: string;
  metadata: ObjectMeta;
  spec: S;
  /** Where the document starts. */
  loc: Loc;
}

export type EventListener = Resource<
  "EventListener",
  {
    serviceAccountName?: string;
    triggers: EventListenerTrigger[];
    triggerGroups: TriggerGroup[];
    namespaceSelector?: NamespaceSelector;
    labelSelector?: LabelSelector;
    resources?: unknown;
    cloudEventURI?: string;
  }
>;
export type Trigger = Resource<"Trigger", TriggerSpec>;
export type TriggerBinding = Resource<"TriggerBinding", { params: Param[] }>;
export type ClusterTriggerBinding = Resource<"ClusterTriggerBinding", { params: Param[] }>;
export type TriggerTemplate = Resource<"TriggerTemplate", TriggerTemplateSpec>;

export interface ClientConfig {
  url?: string;
  caBundle?: string;
  service?: { name: string; namespace: string; path?: string; port?: number };
}
export type Interceptor = Resource<"Interceptor", { clientConfig: ClientConfig }>;
export type ClusterInterceptor = Resource<"ClusterInterceptor", { clientConfig: ClientConfig }>;

export interface Secret {
  kind: "Secret";
  apiVersion: string;
  metadata: ObjectMeta;
  /** Values decoded from `data` (base64) and `stringData` (which wins, as in Kubernetes). */
  data: Record<string, Buffer>;
  loc: Loc;
}

export type ConfigObject =
  | EventListener
  | Trigger
  | TriggerBinding
  | ClusterTriggerBinding
  | TriggerTemplate
  | Interceptor
  | ClusterInterceptor
  | Secret;

/** A problem found while loading. Document errors stop `serve`; reference errors do not. */
export interface ConfigIssue {
  severity: "error" | "warning" | "note";
  /** For errors: HL_CONFIG_INVALID (document), HL_CONFIG_REFERENCE, or HL_CONFIG_READ_FAILED. */
  code?: ErrorCode;
  /** `document`: the file itself is wrong; `reference`: it names something not defined. */
  class: "document" | "reference" | "info";
  message: string;
  loc: Loc;
}
