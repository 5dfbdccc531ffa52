import type { ParseArgsConfig } from "node:util";
import { HooklineError } from "../errors/hookline-error.js";
import {
  OPTIONS,
  type ListOption,
  type OptionName,
  type SwitchOption,
  type TextOption,
} from "./option-definitions.js";
import { SettingProblem } from "./parse-values.js";

/** The environment a command reads (tests pass their own; bin/hookline.js passes process.env). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** What `parseArgs` gave: flag name (without `--`) → its value. */
export type FlagValues = Readonly<
  Record<string, string | boolean | (string | boolean)[] | undefined>
>;

/** The `parseArgs` options for these table entries (no defaults: an absent flag stays absent). */
export function argsOptionsFor(names: readonly OptionName[]): ArgsOptions {
  const out: ArgsOptions = {};
  for (const name of names) {
    const o = OPTIONS[name];
    if (o.flag === undefined) continue;
    out[o.flag] =
      o.arg === "switch"
        ? { type: "boolean" }
        : o.arg === "list"
          ? { type: "string", multiple: true }
          : { type: "string" };
  }
  return out;
}

/** A HooklineError naming the flag or variable (`source`); exit code 2. */
export function settingsError(source: string, message: string): HooklineError {
  return new HooklineError("HL_SETTINGS_INVALID", message, { field: source });
}

/**
 * The option's value: its flag's, else its environment variable's (an empty one counts as
 * unset), else `fallback` (the table's default unless the command has its own). Throws
 * HL_SETTINGS_INVALID naming the flag or variable and the value (never a secret's).
 */
export function readOption<T>(
  o: TextOption<T>,
  flags: FlagValues,
  env: Environment,
  fallback: T = o.default,
): T {
  const flagValue = o.flag === undefined ? undefined : flags[o.flag];
  if (typeof flagValue === "string") return parseFrom(o, flagValue, `--${o.flag ?? ""}`);
  const envValue = o.env === undefined ? undefined : env[o.env];
  if (o.env !== undefined && envValue !== undefined && envValue !== "")
    return parseFrom(o, envValue, o.env);
  return fallback;
}

export function readList(o: ListOption, flags: FlagValues): readonly string[] {
  const value = flags[o.flag];
  if (!Array.isArray(value)) return o.default;
  return value.filter((v): v is string => typeof v === "string");
}

export function readSwitch(o: SwitchOption, flags: FlagValues): boolean {
  const value = flags[o.flag];
  return typeof value === "boolean" ? value : o.default;
}

function parseFrom<T>(o: TextOption<T>, text: string, source: string): T {
  try {
    return o.parse(text);
  } catch (err) {
    if (!(err instanceof SettingProblem)) throw err;
    const shown = o.secret ? "" : ` "${text}"`;
    throw settingsError(source, `invalid ${o.what}${shown} (${source}): ${err.message}`);
  }
}

/** `parseArgs`'s options table. */
export type ArgsOptions = NonNullable<ParseArgsConfig["options"]>;
