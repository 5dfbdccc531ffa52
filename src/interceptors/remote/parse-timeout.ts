/**
 * `10s`, `2.5s`, `500ms`, `1m` → milliseconds; undefined when it is none of those or not positive.
 * @example parseTimeout("3s") // 3000
 */
export function parseTimeout(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000 }[m[2] as "ms" | "s" | "m"];
  const ms = Math.round(Number(m[1]) * unit);
  return ms > 0 ? ms : undefined;
}
