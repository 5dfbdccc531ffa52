import type { NextFunction, Request, Response } from "express";
import { SCRIPT_SOURCE, STYLE_SOURCE } from "./ui/layout.js";

/**
 * The page loads nothing but its own hashed stylesheet and script: no other script, no image,
 * frame or font, and its one form posts back to this port. `Referrer-Policy: same-origin`, not `no-referrer`: under
 * no-referrer the browser sends `Origin: null` on the page's own form POST, which the cross-site
 * check must refuse.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${STYLE_SOURCE}`,
  `script-src ${SCRIPT_SOURCE}`,
  // The live refresh: the event stream, and the page fetched again.
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** Sets the admin port's security headers on every answer, errors and /metrics included. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  next();
}
