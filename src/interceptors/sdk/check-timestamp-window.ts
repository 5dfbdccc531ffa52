/**
 * Parses a Unix-seconds timestamp header (digits only, as Slack and Standard Webhooks send it).
 * Returns undefined when it is not one.
 */
export function parseUnixSeconds(value: string): number | undefined {
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Replay protection: is a signed timestamp within `toleranceSeconds` of when hookline received the
 * event? Measured from `receivedAt`, never from the clock, so replaying a stored event later still
 * verifies. Returns `"too old"`, `"too new"`, or undefined when inside the window.
 * @example const off = checkTimestampWindow(ts, ctx.receivedAt, 300); if (off) return reject(…);
 */
export function checkTimestampWindow(
  timestampSeconds: number,
  receivedAt: Date,
  toleranceSeconds: number,
): "too old" | "too new" | undefined {
  const now = Math.floor(receivedAt.getTime() / 1000);
  if (now - timestampSeconds > toleranceSeconds) return "too old";
  if (timestampSeconds - now > toleranceSeconds) return "too new";
  return undefined;
}
