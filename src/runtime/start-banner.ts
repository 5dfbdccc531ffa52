import {
  listenerProviders,
  providerEventTypes,
  type ListenerSummary,
} from "../config/listener-summary.js";

/** How a provider interceptor's sender is named in the banner. */
const SENDER: Readonly<Record<string, string>> = {
  github: "GitHub",
  gitlab: "GitLab",
  bitbucket: "Bitbucket",
  slack: "Slack",
  "standard-webhooks": "your Standard Webhooks sender",
  hmac: "your HMAC-signing sender",
};

/**
 * The few lines `serve` prints for a person at start-up: where to point each provider (the URL to
 * paste into its webhook settings, and the event types to tick), and the admin page.
 * @example "Point GitHub at http://localhost:8080/listeners/default/github (push, pull_request)"
 */
export function startBanner(
  listeners: readonly ListenerSummary[],
  baseUrl: string,
  adminUrl: string,
): string {
  const lines = [`hookline is listening on ${baseUrl}`];
  for (const listener of listeners) {
    const url = `${baseUrl}${listener.path}`;
    const providers = listenerProviders(listener);
    if (providers.length === 0) lines.push(`  Send webhooks to ${url}`);
    for (const provider of providers) {
      const types = providerEventTypes(listener, provider);
      const events = types === undefined ? "any event" : types.join(", ");
      lines.push(`  Point ${SENDER[provider] ?? provider} at ${url} (${events})`);
    }
  }
  if (listeners.length === 0) lines.push("  No EventListener is configured yet.");
  lines.push(`  Events, traces and deliveries: ${adminUrl}`);
  return `${lines.join("\n")}\n`;
}

/** The host part of a URL for a bound host: localhost for every-interface binds, [v6] bracketed. */
export function urlHost(host: string | undefined): string {
  if (host === undefined || host === "" || host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

/** The listener port's base URL for a person to paste. */
export function listenerBaseUrl(host: string | undefined, port: number, tls: boolean): string {
  return `${tls ? "https" : "http"}://${urlHost(host)}:${port}`;
}
