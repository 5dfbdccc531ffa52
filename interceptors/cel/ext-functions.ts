import type { Environment } from "@marcbachmann/cel-js";
import { decodeBase64 } from "./base64.js";
import { charge, chargeLength } from "./budget.js";
import { celEquals, compareNumbers, numeric } from "./cel-equals.js";
import { limitList, limitString } from "./cel-limits.js";

/**
 * The cel-go `ext` functions Tekton enables (Strings, Encoders, Sets, Lists, Math) that cel-js 8.0.0
 * lacks. cel-js already has lowerAscii, upperAscii, trim, indexOf, lastIndexOf, substring, split,
 * join and the standard library, so those are not registered again.
 */
export function registerExtFunctions(env: Environment): void {
  registerStrings(env);
  registerNamespace(env, "base64", "Base64Namespace");
  env
    .registerFunction("Base64Namespace.encode(bytes): string", (_: unknown, b: Uint8Array) => {
      chargeLength(b.length);
      return limitString(Buffer.from(b).toString("base64"), "base64.encode");
    })
    .registerFunction("Base64Namespace.decode(string): bytes", (_: unknown, s: string) => {
      chargeLength(s.length);
      return new Uint8Array(decodeBase64(s));
    });
  registerNamespace(env, "sets", "SetsNamespace");
  env
    .registerFunction(
      "SetsNamespace.contains(list, list): bool",
      (_: unknown, a: unknown[], b: unknown[]) => {
        charge(a.length * b.length);
        return b.every((x) => a.some((y) => celEquals(x, y)));
      },
    )
    .registerFunction(
      "SetsNamespace.equivalent(list, list): bool",
      (_: unknown, a: unknown[], b: unknown[]) => {
        charge(2 * a.length * b.length);
        return (
          b.every((x) => a.some((y) => celEquals(x, y))) &&
          a.every((x) => b.some((y) => celEquals(x, y)))
        );
      },
    )
    .registerFunction(
      "SetsNamespace.intersects(list, list): bool",
      (_: unknown, a: unknown[], b: unknown[]) => {
        charge(a.length * b.length);
        return a.some((x) => b.some((y) => celEquals(x, y)));
      },
    );
  registerLists(env);
  registerMath(env);
}

function registerNamespace(env: Environment, name: string, typeName: string): void {
  // A named class per namespace: cel-js resolves `base64.encode` as a method on this constant.
  const ns = { [typeName]: class {} }[typeName] ?? class {};
  env.registerType(typeName, ns).registerConstant(name, typeName, new ns());
}

function registerStrings(env: Environment): void {
  env
    .registerFunction("string.charAt(int): string", (s: string, i: bigint) => {
      chargeLength(s.length);
      const chars = [...s];
      if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
      return chars[Number(i)] ?? "";
    })
    .registerFunction(
      "string.replace(string, string): string",
      (s: string, from: string, to: string) => {
        chargeLength(s.length);
        return limitString(replaceN(s, from, to, -1), "replace");
      },
    )
    .registerFunction(
      "string.replace(string, string, int): string",
      (s: string, from: string, to: string, n: bigint) => {
        chargeLength(s.length);
        return limitString(replaceN(s, from, to, Number(n)), "replace");
      },
    )
    .registerFunction("string.reverse(): string", (s: string) => {
      chargeLength(s.length);
      return [...s].reverse().join("");
    });
}

/** Go's strings.Replace: n < 0 replaces all; an empty `from` matches between every character. */
function replaceN(s: string, from: string, to: string, n: number): string {
  if (n === 0) return s;
  if (from === "") {
    const chars = [...s];
    const out: string[] = [];
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out.push(to);
        done++;
      }
      if (i < chars.length) out.push(chars[i] ?? "");
    }
    return out.join("");
  }
  if (n < 0) return s.split(from).join(to);
  const parts = s.split(from);
  return (
    parts.slice(0, n + 1).join(to) +
    (parts.length > n + 1 ? from + parts.slice(n + 1).join(from) : "")
  );
}

function registerLists(env: Environment): void {
  registerNamespace(env, "lists", "ListsNamespace");
  env
    .registerFunction("list.reverse(): list", (l: unknown[]) => {
      chargeLength(l.length);
      return [...l].reverse();
    })
    .registerFunction("list.slice(int, int): list", (l: unknown[], from: bigint, to: bigint) => {
      if (from < 0n || to < from || to > BigInt(l.length))
        throw new Error(`cannot slice(${from}, ${to}) a list of size ${l.length}`);
      chargeLength(Number(to - from));
      return l.slice(Number(from), Number(to));
    })
    .registerFunction("list.flatten(): list", (l: unknown[]) => flatten(l, 1))
    .registerFunction("list.flatten(int): list", (l: unknown[], depth: bigint) => {
      if (depth < 0n) throw new Error("level must be non-negative");
      return flatten(l, Number(depth));
    })
    .registerFunction("list.distinct(): list", (l: unknown[]) => {
      const out: unknown[] = [];
      for (const item of l) {
        charge(1 + out.length); // O(n²): charged as it goes
        if (!out.some((seen) => celEquals(seen, item))) out.push(item);
      }
      return out;
    })
    .registerFunction("list.sort(): list", (l: unknown[]) => {
      charge(Math.ceil(l.length * Math.log2(l.length + 1)));
      return [...l].sort(compareSortable);
    })
    .registerFunction("ListsNamespace.range(int): list<int>", (_: unknown, n: bigint) => {
      if (n > BigInt(100_000)) throw new Error("lists.range: too many elements");
      charge(Math.max(0, Number(n))); // one step per element allocated
      return limitList(
        Array.from({ length: Math.max(0, Number(n)) }, (_v, i) => BigInt(i)),
        "lists.range",
      );
    });
}

function flatten(list: unknown[], depth: number): unknown[] {
  chargeLength(list.length);
  const out: unknown[] = [];
  for (const item of list) {
    if (Array.isArray(item) && depth > 0) out.push(...flatten(item as unknown[], depth - 1));
    else out.push(item);
  }
  return limitList(out, "flatten");
}

function compareSortable(a: unknown, b: unknown): number {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  throw new Error("sort: list elements must be numbers, strings or bools of one kind");
}

function registerMath(env: Environment): void {
  registerNamespace(env, "math", "MathNamespace");
  const pick =
    (name: string, want: number) =>
    (_: unknown, ...args: unknown[]) =>
      extreme(name, args, want);
  for (const [name, want] of [
    ["greatest", 1],
    ["least", -1],
  ] as const) {
    // One overload for a number or a list: with `(int): int` first, a dyn argument (a list from
    // the payload: `math.greatest(body.sizes)`) was typed int, handed back whole, and compared
    // wrongly (`== 5` false, `== 5.0` refused at load as int == double).
    env.registerFunction(`MathNamespace.${name}(dyn): dyn`, (_: unknown, v: unknown) =>
      Array.isArray(v) ? extreme(name, v, want) : extreme(name, [v], want),
    );
    for (let arity = 2; arity <= 6; arity++) {
      const params = Array.from({ length: arity }, () => "dyn").join(", ");
      env.registerFunction(`MathNamespace.${name}(${params}): dyn`, pick(name, want));
    }
  }
  for (const fn of ["ceil", "floor", "round", "trunc"] as const) {
    env.registerFunction(`MathNamespace.${fn}(double): double`, (_: unknown, v: number) =>
      fn === "round" ? Math.sign(v) * Math.round(Math.abs(v)) : Math[fn](v),
    );
  }
  env
    .registerFunction("MathNamespace.abs(int): int", (_: unknown, v: bigint) => (v < 0n ? -v : v))
    .registerFunction("MathNamespace.abs(double): double", (_: unknown, v: number) => Math.abs(v))
    .registerFunction("MathNamespace.sign(int): int", (_: unknown, v: bigint) =>
      v > 0n ? 1n : v < 0n ? -1n : 0n,
    )
    .registerFunction("MathNamespace.sign(double): double", (_: unknown, v: number) => Math.sign(v))
    .registerFunction("MathNamespace.isNaN(double): bool", (_: unknown, v: number) =>
      Number.isNaN(v),
    )
    .registerFunction(
      "MathNamespace.isInf(double): bool",
      (_: unknown, v: number) => v === Infinity || v === -Infinity,
    )
    .registerFunction("MathNamespace.isFinite(double): bool", (_: unknown, v: number) =>
      Number.isFinite(v),
    );
}

/** math.greatest / math.least over numbers of any CEL numeric kind; the winner keeps its own kind. */
function extreme(name: string, values: unknown[], want: number): unknown {
  if (values.length === 0) throw new Error(`math.@${name}() requires at least one argument`);
  let best: unknown;
  let bestNumber: number | bigint | undefined;
  for (const value of values) {
    const n = numeric(value);
    if (n === undefined) throw new Error(`math.@${name}() requires numeric arguments`);
    if (bestNumber === undefined || compareNumbers(n, bestNumber) === want) {
      best = value;
      bestNumber = n;
    }
  }
  return best;
}
