import winston from "winston";

/** What a line's level looks like on a terminal with colour (ANSI SGR codes). */
const LEVEL_COLOUR: Readonly<Record<string, string>> = {
  error: "31", // red
  warn: "33", // yellow
  info: "32", // green
  debug: "90", // grey
};

/** What winston puts in every entry besides the fields; not repeated as `key=value`. */
const NOT_FIELDS = new Set(["level", "message", "timestamp", "service"]);

/**
 * One readable line per entry, for a person at a terminal: `12:04:31.207 INFO  listening port=8080
 * webhookUrls=["http://…"]`. Fields follow the message as key=value (text bare when it has no
 * space, quote or `=`; anything else as JSON), so a line still carries everything the JSON line
 * does. `colour` colours the level and greys the keys.
 */
export function textFormat(colour: boolean): winston.Logform.Format {
  const paint = (code: string, text: string): string =>
    colour ? `\u001b[${code}m${text}\u001b[0m` : text;
  return winston.format.printf((info) => {
    const level = info.level;
    const time = clockTime(typeof info["timestamp"] === "string" ? info["timestamp"] : undefined);
    const fields = Object.entries(info)
      .filter(([key, value]) => !NOT_FIELDS.has(key) && value !== undefined)
      .map(([key, value]) => `${paint("90", `${key}=`)}${fieldText(value)}`);
    const head = `${paint("90", time)} ${paint(LEVEL_COLOUR[level] ?? "0", level.toUpperCase().padEnd(5))}`;
    return [head, String(info.message), ...fields].join(" ");
  });
}

/** `HH:MM:SS.mmm` of the entry's time, on this machine's clock face. */
function clockTime(iso: string | undefined): string {
  const d = iso === undefined ? new Date() : new Date(iso);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

function fieldText(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? String(value);
}
