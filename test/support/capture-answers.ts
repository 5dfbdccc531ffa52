import type { IncomingMessage, ServerResponse } from "node:http";
import { recordAnswer } from "./openapi-validator.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps a request handler so that every answer it gives is checked against openapi.yaml (the
 * violations fail the test file; see openapi-setup.ts).
 */
export function checkingAnswers(port: "listener" | "admin", handler: Handler): Handler {
  return (req, res) => {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown): void => {
      if (typeof chunk === "string" || chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]): boolean => {
      keep(chunk);
      return write(chunk, ...rest);
    };
    (res as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]): ServerResponse => {
      keep(chunk);
      return end(chunk, ...rest);
    };
    res.once("finish", () => {
      const type = res.getHeader("content-type");
      recordAnswer(
        port,
        req.method ?? "GET",
        req.originalUrl ?? req.url ?? "/",
        res.statusCode,
        typeof type === "string" ? type : undefined,
        Buffer.concat(chunks),
      );
    });
    handler(req, res);
  };
}

declare module "node:http" {
  interface IncomingMessage {
    /** Set by express: the URL before a router stripped its mount path. */
    originalUrl?: string;
  }
}
