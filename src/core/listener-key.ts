/** The key a listener is known by in the journal and in metrics: `namespace/name`. */
export function listenerKey(listener: { namespace: string; name: string }): string {
  return `${listener.namespace}/${listener.name}`;
}
