import { firstHeader } from "../../core/canonical-header.js";
import type { InterceptorResponse, RawRequest } from "../types.js";

/**
 * Tekton's event-type check, shared by its github, gitlab and bitbucket interceptors: with
 * `eventTypes` set, the event header's value must be one of them. Returns the rejection, or
 * undefined to go on.
 * @example const no = checkEventType(req, "X-Gitlab-Event", params.eventTypes); if (no) return no;
 */
export function checkEventType(
  req: Pick<RawRequest, "header">,
  headerName: string,
  eventTypes: readonly string[] | undefined,
): InterceptorResponse | undefined {
  if (eventTypes === undefined) return undefined;
  const actual = firstHeader(req.header, headerName) ?? "";
  if (eventTypes.includes(actual)) return undefined;
  // Not an event this trigger is for (another event type, or another provider's event with no
  // header of this one): the trigger does not apply, and it did not vouch for the sender.
  return {
    continue: false,
    status: { code: "FAILED_PRECONDITION", message: `event type ${actual} is not allowed` },
    notApplicable: true,
  };
}
