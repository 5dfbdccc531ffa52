import type { NextFunction, Request, Response } from "express";
import { sendAdminError } from "./send-admin-error.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * 415 for an API request that changes state unless it says `Content-Type: application/json`.
 * A browser can send a cross-site form or a `text/plain` fetch without asking, but not JSON: that
 * needs a CORS preflight, which the admin port never grants. The header is read directly, not with
 * `req.is`, which says "no" for an empty body (the replay has none).
 */
export function requireJson(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const type = (req.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/json") return next();
  sendAdminError(
    res,
    "HL_ADMIN_UNSUPPORTED_MEDIA_TYPE",
    "send this request with Content-Type: application/json",
  );
}
