import { firstHeader } from "./canonical-header.js";
import type { Header } from "./incoming-event.js";

/**
 * The headers that name an event's type, most specific first: GitHub's, GitLab's, Bitbucket's and
 * a CloudEvent's. Go-canonical names, as the journal stores them (the PostgreSQL journal reads the
 * same names out of its `headers` column).
 */
export const EVENT_TYPE_HEADERS = ["X-Github-Event", "X-Gitlab-Event", "X-Event-Key", "Ce-Type"];

/** Longer values are cut: it is a label for the list, and a sender chooses it. */
export const EVENT_TYPE_MAX_CHARS = 100;

/** What the sender said the event is (`push`, `Push Hook`, `repo:push`), if it said. */
export function resolveEventType(header: Readonly<Header>): string | undefined {
  for (const name of EVENT_TYPE_HEADERS) {
    const value = firstHeader(header, name);
    if (value !== undefined && value !== "") return value.slice(0, EVENT_TYPE_MAX_CHARS);
  }
  return undefined;
}
