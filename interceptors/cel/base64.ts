const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/**
 * Strict standard base64 decoding (padding optional), like cel-go's `base64.decode`. Node's own
 * decoder silently skips invalid characters, which would turn garbage into bytes.
 * @example decodeBase64("aGVsbG8=").toString() // "hello"
 */
export function decodeBase64(s: string): Buffer {
  if (!STD_BASE64.test(s)) throw new Error("illegal base64 data");
  return Buffer.from(s, "base64");
}
