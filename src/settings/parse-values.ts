import { parseAllowedHosts } from "../admin/check-host.js";
import type { LogFormat, LogLevel } from "../core/logger.js";
import { parseSize } from "../intake/read-body.js";
import { DEFAULT_STORE } from "../store/create-journal.js";
import { parseAdminAddr } from "./parse-admin-addr.js";
import type { AdminAddress, StoreSettings } from "./types.js";

/**
 * A value that cannot be used. The message is the hint (what to write instead); the caller adds
 * the flag or variable and, unless it is a secret, the value.
 */
export class SettingProblem extends Error {
  constructor(hint: string) {
    super(hint);
    this.name = "SettingProblem";
  }
}

/** Any text, as given (paths, names, URLs checked where they are used). */
export function parseTextValue(text: string): string {
  return text;
}

export function parsePortValue(text: string): number {
  const port = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(port) || port > 65535)
    throw new SettingProblem("use a port number from 0 to 65535");
  return port;
}

export function parseMaxBodyValue(text: string): number {
  try {
    return parseSize(text);
  } catch {
    // parseSize's message quotes the value; the caller quotes it once, with its source.
    throw new SettingProblem("use a number of bytes or a unit such as 25MiB");
  }
}

/** A size such as 10GiB; `none` (or `0`) for no cap. */
export function parseOptionalSizeValue(text: string): number | undefined {
  if (/^\s*(none|0)\s*$/i.test(text)) return undefined;
  return parseMaxBodyValue(text);
}

/** A whole number, 0 or more (0 usually meaning "no cap"). */
export function parseCountValue(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n))
    throw new SettingProblem("use a whole number, 0 for no cap");
  return n;
}

/** `7d`, `12h`, `30m`, `90s` → milliseconds. */
export function parseDurationValue(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new SettingProblem("use e.g. 7d, 12h, 30m");
  return ms;
}

/** `7d`, `12h`, `30m`, `90s` → milliseconds; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(d|h|m|s)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 }[m[2] as "d" | "h" | "m" | "s"];
  return Number(m[1]) * unit;
}

/** `on`/`off` (also true/false, 1/0, yes/no). */
export function parseOnOffValue(text: string): boolean {
  const value = text.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(value)) return true;
  if (["off", "false", "0", "no"].includes(value)) return false;
  throw new SettingProblem("use on or off");
}

export function parseSinkKindValue(text: string): "local" | "kubernetes" {
  if (text === "local" || text === "kubernetes") return text;
  throw new SettingProblem("use local or kubernetes");
}

/**
 * HOOKLINE_STORE / `--store`, read as it always was: `postgres://…` or `postgresql://…` for
 * PostgreSQL, `memory`, else an SQLite file path (`sqlite:` prefix optional); empty: the default
 * SQLite file.
 */
export function parseStoreValue(text: string): StoreSettings {
  const value = text === "" ? DEFAULT_STORE : text;
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: "postgres", url: value };
  if (value === "memory") return { kind: "memory" };
  return { kind: "sqlite", path: value.replace(/^sqlite:/, "") };
}

export function parseAdminAddrValue(text: string): AdminAddress {
  try {
    return parseAdminAddr(text);
  } catch {
    throw new SettingProblem("use port, host:port or [v6]:port, e.g. 127.0.0.1:9090");
  }
}

export function parseHostListValue(text: string): readonly string[] {
  return parseAllowedHosts(text);
}

/** HOOKLINE_GITHUB_ENTERPRISE_HOSTS: a comma list, or `*` for any host (Tekton's behaviour). */
export function parseEnterpriseHostsValue(text: string): readonly string[] | "*" {
  if (text.trim() === "*") return "*";
  return text
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
}

/**
 * HOOKLINE_HTTP_ALLOW: `host`, `host:port`, `[v6]` or `[v6]:port`, `*.domain`, comma-separated.
 * Empty counts as unset (no list).
 */
export function parseHttpAllowValue(text: string): readonly string[] | undefined {
  const entries = text
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  for (const entry of entries) {
    if (!/^(\*\.)?[a-z0-9_.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(entry))
      throw new SettingProblem(
        `"${entry}" is not a host, host:port, [v6]:port or *.domain (comma-separated; no scheme or path)`,
      );
  }
  return entries.length === 0 ? undefined : entries;
}

const LEVELS: readonly LogLevel[] = ["error", "warn", "info", "debug"];

export function parseLogLevelValue(text: string): LogLevel {
  const level = LEVELS.find((l) => l === text.trim().toLowerCase());
  if (level === undefined) throw new SettingProblem(`use one of ${LEVELS.join(", ")}`);
  return level;
}

const FORMATS: readonly LogFormat[] = ["json", "text"];

export function parseLogFormatValue(text: string): LogFormat {
  const format = FORMATS.find((f) => f === text.trim().toLowerCase());
  if (format === undefined) throw new SettingProblem(`use one of ${FORMATS.join(", ")}`);
  return format;
}
