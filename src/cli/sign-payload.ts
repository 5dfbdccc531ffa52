import { createHmac } from "node:crypto";
import type { HmacAlgorithm, HmacEncoding } from "../../interceptors/hmac/params.js";
import {
  signStandardWebhook,
  standardWebhookKey,
} from "../../interceptors/standard-webhooks/sign.js";

export const SIGN_SCHEMES = [
  "github",
  "bitbucket",
  "gitlab",
  "slack",
  "standard-webhooks",
  "hmac",
] as const;
export type SignScheme = (typeof SIGN_SCHEMES)[number];

/** What a scheme needs beside the body and the secret. */
export interface SignOptions {
  /** Unix seconds (slack, standard-webhooks). */
  timestamp?: number;
  /** The message id (standard-webhooks). */
  id?: string;
  /** hmac: the signature header, digest algorithm and encoding, and text before the digest. */
  header?: string;
  algorithm?: HmacAlgorithm;
  encoding?: HmacEncoding;
  prefix?: string;
}

/**
 * The header lines a provider would send with `body`, one `Name: value` per entry, e.g.
 * `X-Hub-Signature-256: sha256=…`. Throws an Error naming what is missing or wrong (never the
 * secret).
 */
export function signPayload(
  scheme: SignScheme,
  body: Buffer | string,
  secret: string,
  options: SignOptions = {},
): string[] {
  const hex = (algo: string): string => createHmac(algo, secret).update(body).digest("hex");
  switch (scheme) {
    case "github":
      return [`X-Hub-Signature-256: sha256=${hex("sha256")}`];
    case "bitbucket":
      // Bitbucket Server/Data Center and Cloud both send sha256= in X-Hub-Signature.
      return [`X-Hub-Signature: sha256=${hex("sha256")}`];
    case "gitlab":
      // GitLab's secret token is sent as it is: the header *is* the secret.
      return [`X-Gitlab-Token: ${secret}`];
    case "slack": {
      const ts = String(options.timestamp ?? nowSeconds());
      const sig = createHmac("sha256", secret).update(`v0:${ts}:`).update(body).digest("hex");
      return [`X-Slack-Request-Timestamp: ${ts}`, `X-Slack-Signature: v0=${sig}`];
    }
    case "standard-webhooks": {
      const key = standardWebhookKey(Buffer.from(secret));
      if (key === undefined) throw new Error("the secret is not a valid whsec_<base64> key");
      const ts = String(options.timestamp ?? nowSeconds());
      const id = options.id ?? "";
      if (id === "") throw new Error("standard-webhooks needs a message id");
      return [
        `webhook-id: ${id}`,
        `webhook-timestamp: ${ts}`,
        `webhook-signature: v1,${signStandardWebhook(key, id, ts, body)}`,
      ];
    }
    case "hmac": {
      if (options.header === undefined || options.header === "")
        throw new Error("hmac needs --header");
      const digest = createHmac(options.algorithm ?? "sha256", secret)
        .update(body)
        .digest(options.encoding ?? "hex");
      return [`${options.header}: ${options.prefix ?? ""}${digest}`];
    }
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
