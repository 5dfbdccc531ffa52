import { codes, type ErrorCode } from "./codes.js";

export interface ErrorDetails {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  trigger?: string;
  interceptor?: string;
  [key: string]: string | number | boolean | undefined;
}

/** Every error that can reach a user: a stable code, a status from the catalogue, details. */
export class HooklineError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "HooklineError";
    this.code = code;
    this.status = codes[code].status;
    this.details = details;
  }
}

/** Wraps anything thrown into a message safe to show; never includes a stack. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
