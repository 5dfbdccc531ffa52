/**
 * Compares two runs of a group by their place in it (LABEL_GROUP_ORDER's value), as text: the
 * older run first.
 */
export function byOrder(a: { order: string }, b: { order: string }): number {
  return a.order < b.order ? -1 : a.order > b.order ? 1 : 0;
}
