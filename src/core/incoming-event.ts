/** Request headers as Tekton passes them on: Go-canonical names, every value kept. */
export type Header = Record<string, string[]>;

/** The provider that sent an event, as far as its headers tell. */
export type Provider = "github" | "gitlab" | "bitbucket" | "slack" | "generic";

/** One received request, read whole and checked, before any trigger runs. */
export interface IncomingEvent {
  /** UUID v4, the same everywhere for this request (Tekton's eventID). */
  readonly eventId: string;
  readonly receivedAt: Date;
  readonly method: string;
  /** Path and query only, as Tekton's `context.event_url`. */
  readonly url: string;
  readonly header: Header;
  /** The exact bytes received: signatures are checked over these. */
  readonly rawBody: Buffer;
  readonly provider: Provider;
  /** The provider's delivery id (X-GitHub-Delivery and the like), when it is well-formed. */
  readonly deliveryId: string | undefined;
}
