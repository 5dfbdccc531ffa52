import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodyHmac } from "../../../src/interceptors/sdk/body-hmac.js";

/** The once-per-event HMAC must answer exactly as createHmac, whatever was asked of it before. */
describe("bodyHmac", () => {
  it("gives createHmac's digest for every (algorithm, secret) asked of one body, in any order (property)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        fc.array(
          fc.tuple(fc.constantFrom("sha1", "sha256", "sha512"), fc.uint8Array({ maxLength: 32 })),
          { minLength: 1, maxLength: 8 },
        ),
        (bytes, asks) => {
          const body = Buffer.from(bytes);
          for (const [algorithm, key] of [...asks, ...asks.reverse()]) {
            const secret = Buffer.from(key);
            expect(bodyHmac(algorithm, secret, body)).toEqual(
              createHmac(algorithm, secret).update(body).digest(),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps bodies with the same bytes apart only by what they hold, not by identity", () => {
    const secret = Buffer.from("s3cret");
    const a = Buffer.from('{"ref":"main"}');
    const b = Buffer.from('{"ref":"main"}');
    const c = Buffer.from('{"ref":"next"}');
    expect(bodyHmac("sha256", secret, a)).toEqual(bodyHmac("sha256", secret, b));
    expect(bodyHmac("sha256", secret, a)).not.toEqual(bodyHmac("sha256", secret, c));
    expect(bodyHmac("sha256", Buffer.from("other"), a)).not.toEqual(bodyHmac("sha256", secret, a));
  });
});
