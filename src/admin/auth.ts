import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/**
 * Bearer-token check for every admin route but /metrics (bounded labels, no payload data, so
 * Prometheus can scrape it as it scrapes Tekton's metrics port). Constant-time compare.
 */
export function requireToken(token: string | undefined) {
  const expected = token === undefined ? undefined : createHash("sha256").update(token).digest();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (expected === undefined || req.path === "/metrics") return next();
    const header = req.get("authorization") ?? "";
    const m = /^Bearer (.+)$/.exec(header);
    const given = createHash("sha256")
      .update(m?.[1] ?? "")
      .digest();
    if (m !== null && timingSafeEqual(given, expected)) return next();
    res.setHeader("WWW-Authenticate", 'Bearer realm="hookline"');
    res.status(401).json({
      error: { code: "HL_ADMIN_UNAUTHORIZED", message: "a valid bearer token is required" },
    });
  };
}
