import { nearestName } from "../../core/nearest-name.js";
import { ParamError } from "../types.js";

/**
 * An `eventTypes` entry the provider never sends, as a warning each (for `paramWarnings`): such a
 * trigger never applies, and nothing else says why. `field` is the param's name; a near name is
 * suggested — case and `-`/`_`/space aside first, then within two edits.
 * @example checkKnownEventTypes(["pull-request"], GITHUB_EVENT_NAMES, "eventTypes", "a GitHub event name")
 * // [ParamError("eventTypes[0]", '"pull-request" is not a GitHub event name (X-GitHub-Event); did you mean "pull_request"?')]
 */
export function checkKnownEventTypes(
  eventTypes: readonly string[] | undefined,
  known: ReadonlySet<string>,
  field: string,
  what: string,
): ParamError[] {
  if (eventTypes === undefined) return [];
  const out: ParamError[] = [];
  eventTypes.forEach((type, i) => {
    if (known.has(type)) return;
    const near = suggest(type, known);
    out.push(
      new ParamError(
        `${field}[${i}]`,
        `"${type}" is not ${what}, so this trigger never applies${near === undefined ? "" : `; did you mean "${near}"?`}`,
      ),
    );
  });
  return out;
}

function suggest(type: string, known: ReadonlySet<string>): string | undefined {
  const fold = (s: string): string => s.toLowerCase().replace(/[-_ ]/g, "");
  const folded = fold(type);
  for (const k of known) if (fold(k) === folded) return k;
  return nearestName(type, known);
}
