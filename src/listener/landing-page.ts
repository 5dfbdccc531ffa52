import type { CompiledListener } from "../config/compiled.js";

/**
 * What a browser gets on the listener port (a GET or HEAD with no body): a few lines saying what
 * this is and where the deliveries page is, instead of an event refused as invalid. Nothing is
 * journaled. Under `hookline.dev/reply: tekton`, or with payload validation off, such a request
 * is an event, as in Tekton.
 */
export function landingPage(
  listener: Pick<CompiledListener, "namespace" | "name">,
  adminPage: string | undefined,
): string {
  return [
    `hookline: the webhook listener of EventListener ${listener.namespace}/${listener.name}.`,
    "Providers deliver events here with POST (a JSON body, signed or with a token); this request",
    "had no body, so it was not taken as an event and nothing was recorded.",
    adminPage === undefined
      ? "The deliveries page is on hookline's admin port, at /ui/."
      : `The deliveries page is on hookline's admin port: ${adminPage}`,
    "",
  ].join("\n");
}
