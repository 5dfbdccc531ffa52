import type { IncomingMessage } from "node:http";
import { HooklineError } from "../errors/hookline-error.js";
import type { BodyTicket } from "./body-budget.js";

/**
 * Reads a request body whole, refusing one over `limit` bytes: at once when Content-Length says
 * so, else as soon as the bytes received pass the limit (nothing past it is kept in memory). With a
 * `ticket`, every byte received must fit in the body budget, else the body is cut off there
 * (HL_INTAKE_BUSY): a chunked body reserves as it arrives.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  ticket?: Pick<BodyTicket, "cover">,
): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      if (ticket !== undefined && !ticket.cover(size)) {
        cleanup();
        reject(busy());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(
        new HooklineError(
          "HL_INTAKE_READ_FAILED",
          "the request body could not be read",
          {},
          { cause: err },
        ),
      );
    };
    // The connection closed before the body ended (the client went away, or the 503 timeout).
    const onClose = (): void => onError(new Error("connection closed before the body ended"));
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

function tooLarge(limit: number): HooklineError {
  return new HooklineError(
    "HL_INTAKE_BODY_TOO_LARGE",
    `request body exceeds the limit of ${limit} bytes`,
    { limit },
  );
}

/** The body budget is spent: the sender should retry a little later. */
export function busy(): HooklineError {
  return new HooklineError(
    "HL_INTAKE_BUSY",
    "too many request bodies are being received; retry later",
  );
}

/** Parses sizes such as `25MiB`, `3MB`, `512k`, `1048576`. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?)b?\s*$/i.exec(text);
  if (m === null)
    throw new Error(`invalid size "${text}": use a number of bytes or a unit such as 25MiB`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toLowerCase();
  const base = m[3] === "" && unit !== "" ? 1000 : 1024;
  const power = unit === "" ? 0 : unit === "k" ? 1 : unit === "m" ? 2 : 3;
  return Math.floor(n * base ** power);
}
