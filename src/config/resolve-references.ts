import { matchesLabelSelector } from "./decode-selectors.js";
import type { ConfigObject, LabelSelector, NamespaceSelector, Secret, Trigger } from "./types.js";

type ByKind = { [K in ConfigObject["kind"]]: Map<string, Extract<ConfigObject, { kind: K }>> };
type Kind = ConfigObject["kind"];
type ObjectOf<K extends Kind> = Extract<ConfigObject, { kind: K }>;

/**
 * The decoded objects by kind and `namespace/name`: how a reference (triggerRef, a binding or
 * template ref, an interceptor ref, a selector) finds what it names. Cluster-scoped kinds live in
 * the namespace "".
 */
export interface References {
  get<K extends Kind>(kind: K, namespace: string, name: string): ObjectOf<K> | undefined;
  all<K extends Kind>(kind: K): readonly ObjectOf<K>[];
  /** Tekton's selectTriggers (TEKTON-SPEC §2.2 step 4): none when neither selector is given. */
  selectTriggers(
    elNamespace: string,
    nsSel: NamespaceSelector | undefined,
    labelSel: LabelSelector | undefined,
  ): Trigger[];
  /** Secret values by `namespace/name`, then key. */
  secrets(): Map<string, Record<string, Buffer>>;
  /** How many objects of each kind there are. */
  counts(): Record<string, number>;
}

/** Indexes `objects` (the later of two with one kind, namespace and name wins). */
export function resolveReferences(objects: readonly ConfigObject[]): References {
  const index: ByKind = {
    EventListener: new Map(),
    Trigger: new Map(),
    TriggerBinding: new Map(),
    ClusterTriggerBinding: new Map(),
    TriggerTemplate: new Map(),
    Interceptor: new Map(),
    ClusterInterceptor: new Map(),
    Secret: new Map(),
  };
  for (const obj of objects)
    (index[obj.kind] as Map<string, ConfigObject>).set(
      referenceKey(obj.metadata.namespace, obj.metadata.name),
      obj,
    );
  const mapOf = <K extends Kind>(kind: K): Map<string, ObjectOf<K>> => index[kind];
  return {
    get: (kind, namespace, name) => mapOf(kind).get(referenceKey(namespace, name)),
    all: (kind) => [...mapOf(kind).values()],
    selectTriggers(elNamespace, nsSel, labelSel) {
      if (nsSel === undefined && labelSel === undefined) return [];
      const names = nsSel?.matchNames ?? [elNamespace];
      const all = names.includes("*");
      return [...index.Trigger.values()].filter(
        (t) =>
          (all || names.includes(t.metadata.namespace)) &&
          (labelSel === undefined || matchesLabelSelector(labelSel, t.metadata.labels)),
      );
    },
    secrets() {
      const out = new Map<string, Record<string, Buffer>>();
      for (const s of index.Secret.values() as Iterable<Secret>)
        out.set(referenceKey(s.metadata.namespace, s.metadata.name), s.data);
      return out;
    },
    counts() {
      const out: Record<string, number> = {};
      for (const [kind, map] of Object.entries(index)) out[kind] = map.size;
      return out;
    },
  };
}

function referenceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** `namespace/name`, or `name` for a cluster-scoped object: how messages name an object. */
export function qualifiedName(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}
