import type { Response } from "express";
import type { ErrorCode } from "../errors/codes.js";
import { HooklineError } from "../errors/hookline-error.js";

/** The admin port's error body. 5xx messages are generic; the detail goes to the log. */
export function sendAdminError(res: Response, code: ErrorCode, message: string): void {
  const status = new HooklineError(code, message).status;
  res.status(status).json({ error: { code, message } });
}
