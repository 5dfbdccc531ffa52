import { firstHeader } from "../../core/canonical-header.js";
import type { InterceptorResponse, RawRequest } from "../types.js";

/**
 * Tekton's event-type check, shared by its github, gitlab and bitbucket interceptors: with
 * `eventTypes` set, the event header's value must be one of them. Returns the rejection, or
 * undefined to go on. The rejection is `notApplicable` with the fact that ruled the trigger out:
 * the event's type, or, when the header is absent and `provider` is given, the provider (the
 * event is another provider's). Its message is Tekton's, word for word.
 * @example const no = checkEventType(req, "X-Gitlab-Event", params.eventTypes, "gitlab"); if (no) return no;
 */
export function checkEventType(
  req: Pick<RawRequest, "header">,
  headerName: string,
  eventTypes: readonly string[] | undefined,
  provider?: string,
): InterceptorResponse | undefined {
  if (eventTypes === undefined) return undefined;
  const value = firstHeader(req.header, headerName);
  const actual = value ?? "";
  if (eventTypes.includes(actual)) return undefined;
  // Not an event this trigger is for (another event type, or another provider's event with no
  // header of this one): the trigger does not apply, and it did not vouch for the sender.
  return {
    continue: false,
    // Tekton's text: with no header it reads "event type  is not allowed" (TEKTON-SPEC §4.1).
    status: { code: "FAILED_PRECONDITION", message: `event type ${actual} is not allowed` },
    notApplicable: true,
    ruledOutBy:
      value === undefined && provider !== undefined
        ? { fact: "provider", seen: "", expected: provider, header: headerName }
        : { fact: "eventType", seen: actual, expected: [...eventTypes], header: headerName },
  };
}
