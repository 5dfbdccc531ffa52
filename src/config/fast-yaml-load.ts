import jsyaml from "js-yaml";

/**
 * The fast reading of a config file: js-yaml (about ten times faster than yaml's own parser on a
 * big document, docs/architecture.md "Size and turns") with a schema that types plain scalars
 * exactly as yaml's YAML 1.2 core schema does. It gives plain values, no positions. Anything
 * this reading cannot vouch for — a js-yaml error, an anchor or alias, a tag, a duplicate key (a
 * js-yaml error too) — makes it answer `undefined`, and the file is read the slow way, which gives
 * positioned errors and bounds alias expansion.
 */
export function loadYamlFast(text: string): FastYamlLoad | undefined {
  const seen = { unusual: false, special: false };
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, null, loadOptions(seen));
  } catch {
    return undefined;
  }
  return seen.unusual ? undefined : { docs, special: seen.special };
}

export interface FastYamlLoad {
  /** One value per document, `null` for an empty one. */
  docs: unknown[];
  /** A value JSON cannot carry was read (NaN, ±Infinity, -0). */
  special: boolean;
}

const NONE = Symbol("a string");

/**
 * What a plain scalar means under yaml's core schema (yaml/dist/schema/core: null, bool, int in
 * octal, decimal and hex, .inf/.nan, floats with and without exponent, in its order), or NONE
 * for a string. js-yaml's own CORE_SCHEMA differs: it reads `0b101` and `-0x1` as ints and leaves
 * `-.5` and `+.5` strings, where yaml reads strings and floats.
 */
export function resolveCoreScalar(s: string): unknown {
  if (s.length === 0) return null;
  if (!MAYBE_NOT_STRING.test(s)) return NONE;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === "t" || s[0] === "T";
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s))
    return s.slice(-3).toLowerCase() === "nan"
      ? NaN
      : s[0] === "-"
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return NONE;
}

/** Whether a mapping key read as a string would be something else under the core schema. */
export function isStringUnderCore(s: string): boolean {
  return resolveCoreScalar(s) === NONE;
}

/** The first characters a non-string plain scalar can start with. */
const MAYBE_NOT_STRING = /^[~nNtTfF0-9+\-.]/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/**
 * js-yaml's options for one reading: only the implicit core scalars and no explicit types at all,
 * so that any `!!tag` or `!local` tag is an "unknown tag" error (and the file goes the slow way);
 * untagged maps, sequences and quoted or block scalars need no type in js-yaml. The listener
 * catches what is left: an anchor (an alias needs one) and `!`, the one tag that needs no type.
 */
function loadOptions(seen: { unusual: boolean; special: boolean }): jsyaml.LoadOptions {
  // The value `resolve` found, handed to `construct` (js-yaml calls them one after the other).
  let resolved: unknown;
  const coreScalars = new jsyaml.Type("tag:hookline.dev,2026:core-scalar", {
    kind: "scalar",
    resolve: (s: string) => (resolved = resolveCoreScalar(s)) !== NONE,
    construct: () => {
      const v = resolved;
      if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) seen.special = true;
      return v;
    },
  });
  return {
    schema: new jsyaml.Schema({ implicit: [coreScalars], explicit: [] }),
    listener(event, state) {
      const { anchor, tag } = state as jsyaml.State & { anchor: string | null; tag: string | null };
      if (event === "close" && (anchor !== null || tag === "!")) seen.unusual = true;
    },
  };
}
