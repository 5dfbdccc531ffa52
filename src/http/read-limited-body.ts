/** A body as undici gives it: an async-iterable stream that can be dropped. */
export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/**
 * The whole of a body stream as one Buffer, or `undefined` when it is over `maxBytes` (the
 * stream is then destroyed: the rest is never read into memory).
 */
export async function readLimitedBody(
  stream: BodyStream,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The first `maxBytes` of a body stream; the rest is dropped unread (the stream destroyed). */
export async function readFirstBytes(
  stream: BodyStream,
  maxBytes: number,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size + chunk.byteLength > maxBytes) {
      chunks.push(chunk.subarray(0, maxBytes - size));
      stream.destroy();
      return { body: Buffer.concat(chunks, maxBytes), truncated: true };
    }
    size += chunk.byteLength;
    chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks, size), truncated: false };
}

/** `32 MiB`, `512 KiB`, `100 bytes`: a size limit in messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
