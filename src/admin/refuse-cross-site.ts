import type { NextFunction, Request, Response } from "express";
import { sendAdminError } from "./send-admin-error.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a state-changing request says it came from another site. Browsers send
 * `Sec-Fetch-Site` only to trustworthy origins (loopback, https) but `Origin` on every POST, so
 * both are read. `same-site` is refused too: another port of the same host (a dev server on
 * localhost:3000) is same-site. Neither header means a client that is not a browser (curl, a
 * script): the CSRF token and the JSON content type still stand in its way if it were one.
 */
export function isCrossSite(req: Request): boolean {
  const site = req.get("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return true;
  const origin = req.get("origin");
  if (origin === undefined) return false;
  // "null": an opaque origin (sandboxed frame, data: URL), or a page whose Referrer-Policy is
  // no-referrer (the admin page sends same-origin for this reason).
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true;
  }
  return originHost === "" || originHost !== hostOf(req.headers.host);
}

/** The Host header as URL.host gives it (lower case, default port dropped), to compare with. */
function hostOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return undefined;
  }
}

/** 403 for a POST/PUT/PATCH/DELETE whose Origin or Sec-Fetch-Site names another site. */
export function refuseCrossSite(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || !isCrossSite(req)) return next();
  sendAdminError(
    res,
    "HL_ADMIN_CROSS_SITE",
    "the admin port does not accept state-changing requests from other sites; use its own page or a client that is not a browser",
  );
}
