import { createHmac } from "node:crypto";

export const SIGN_SCHEMES = ["github", "bitbucket"] as const;
export type SignScheme = (typeof SIGN_SCHEMES)[number];

/** The header line a provider would send with `body`, e.g. `X-Hub-Signature-256: sha256=…`. */
export function signPayload(scheme: SignScheme, body: Buffer | string, secret: string): string {
  switch (scheme) {
    case "github":
      return `X-Hub-Signature-256: sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    case "bitbucket":
      return `X-Hub-Signature: sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  }
}
