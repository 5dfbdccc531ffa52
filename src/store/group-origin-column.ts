import type { RunOrigin } from "./types.js";

/**
 * How a run of origin `group` keeps its group in the runs table's `trigger` column (which has
 * no other use for it): `<groupId> <group>`. A groupId is `<namespace>/<hex>`, never with a
 * space, so the first space ends it, and `pendingStartsOfGroup` finds a group's runs by that
 * prefix without a migration.
 */
export function groupOriginColumn(origin: Extract<RunOrigin, { kind: "group" }>): string {
  return `${origin.groupId} ${origin.group}`;
}

/** The prefix that `pendingStartsOfGroup` looks for. */
export function groupOriginPrefix(groupId: string): string {
  return `${groupId} `;
}

export function parseGroupOriginColumn(column: string): Extract<RunOrigin, { kind: "group" }> {
  const space = column.indexOf(" ");
  return space < 0
    ? { kind: "group", groupId: column, group: column }
    : { kind: "group", groupId: column.slice(0, space), group: column.slice(space + 1) };
}
