import { emitterEventNames } from "@octokit/webhooks";

/**
 * Every X-GitHub-Event value GitHub sends (`push`, `pull_request`, `ping`, …): the base names of
 * @octokit/webhooks' list of event names (`pull_request.opened` → `pull_request`), which is
 * generated from GitHub's webhook schemas. An `eventTypes` entry outside it is a `validate` warning.
 */
export const GITHUB_EVENT_NAMES: ReadonlySet<string> = new Set(
  emitterEventNames.map((name) => name.split(".")[0] ?? name).filter((name) => name !== "*"),
);
