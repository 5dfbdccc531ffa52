#!/usr/bin/env node
// Bindings micro-bench: evaluations per second of TriggerBinding expressions on the GitHub push
// examples/payloads/github-push.json, in process, through the built code in dist/. See
// bench/README.md and docs/architecture.md ("Bindings"), which records the figures.
//
//   npm run build && node bench/bindings-bench.js       (about 1 s per row)
//   BENCH_BINDINGS_MS=3000 node bench/bindings-bench.js (milliseconds per row)
//
// Two groups of rows:
// - "step": the three step kinds jsonpath-plus used to run (`.*`, `..`, `[?()]`), each through
//   jsonpath-plus the way hookline called it (`JSONPath({ path, json, wrap: true })`, the filter
//   through a per-call sandbox) and through hookline's own direct walk (evaluateSteps of
//   dist/src/bindings/evaluate-steps.js with that one step), on the same input; both must select
//   the same containers, checked before measuring (jsonpath-plus's `$..` also yields the nulls
//   client-go skips; client-go's also yields non-empty strings).
// - "expression": whole `$(...)` expressions through evaluateExpression, on the push as it comes
//   (1 commit) and on a push of 20 commits, the body already parsed.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import { JSONPath } from "jsonpath-plus";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PAYLOAD_FILE = join(ROOT, "examples/payloads/github-push.json");

/** Calls `fn` repeatedly for about `ms` milliseconds; returns calls per second. */
function measure(fn, ms) {
  for (let i = 0; i < 5_000; i++) fn(); // warm-up: let the JIT settle
  let n = 0;
  let batch = 256;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (n / elapsed) * 1000;
}

// ------------------------------------------- the three steps through jsonpath-plus (the before)

function jsonPathPlusStep(value, step, test) {
  if (step.kind === "wildcard") return JSONPath({ path: "$.*", json: value, wrap: true });
  if (step.kind === "recursive") {
    // What hookline kept of `$..`: everything but empty containers (nulls included).
    return JSONPath({ path: "$..", json: value, wrap: true }).filter((v) => !isEmptyContainer(v));
  }
  const sandbox = { filter: step.filter, test, failure: undefined };
  const found = JSONPath({
    path: "$[?(hl)]",
    json: value,
    wrap: true,
    sandbox,
    eval: (_code, context) => {
      if (context.failure !== undefined) return false;
      try {
        return context.test(context.filter, context._$_v);
      } catch (err) {
        context.failure = err;
        return false;
      }
    },
  });
  if (sandbox.failure !== undefined) throw sandbox.failure;
  return found;
}

function isEmptyContainer(v) {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

// ------------------------------------------- rows

/**
 * Runs the bindings rows and prints them; returns the rows ({group, name, perSecond}).
 * @example runBindingsBench({ ms: 1000 })
 */
export async function runBindingsBench({
  ms = Number(process.env.BENCH_BINDINGS_MS ?? "1000"),
} = {}) {
  const dist = join(ROOT, "dist/src/bindings");
  if (!existsSync(join(dist, "evaluate-steps.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first");
  }
  const { compileExpression, evaluateExpression } = await import(
    pathToFileURL(join(dist, "index.js")).href
  );
  const { evaluateSteps, testFilter } = await import(
    pathToFileURL(join(dist, "evaluate-steps.js")).href
  );
  if (typeof testFilter !== "function") throw new Error("dist/ is stale: run `npm run build`");
  const selectStep = (value, step) => evaluateSteps([step], [value]);
  const containers = (values) => values.filter((v) => typeof v === "object" && v !== null);

  const push = JSON.parse(readFileSync(PAYLOAD_FILE, "utf8"));
  const push20 = {
    ...push,
    commits: Array.from({ length: 20 }, (_, i) => ({
      ...push.commits[0],
      id: `${i}`.padStart(40, "0"),
      distinct: i % 2 === 0,
    })),
  };
  const event = (body) => ({
    body,
    header: { "X-Github-Event": "push" },
    extensions: {},
    context: { eventID: "e" },
  });

  const stepOf = (source) => {
    const steps = compileExpression(source).steps;
    return steps[steps.length - 1];
  };
  const stepRows = [
    { name: ".* over 20 commits", value: push20.commits, step: stepOf("a.*") },
    { name: "..  over the push", value: push, step: stepOf("a..") },
    {
      name: "[?(@.distinct == true)] over 20 commits",
      value: push20.commits,
      step: stepOf("a[?(@.distinct == true)]"),
    },
  ];

  const expressions = [
    "body.head_commit.id",
    "body.commits[0].id",
    "body.commits[*].id",
    "body..email",
    "body.commits[?(@.distinct == true)].id",
  ];

  const results = [];
  const print = (group, name, perSecond, note = "") => {
    results.push({ group, name, perSecond });
    process.stdout.write(
      `  ${name.padEnd(58)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} /s` +
        `  ${(1e6 / perSecond).toFixed(3).padStart(8)} µs${note}\n`,
    );
  };

  process.stdout.write(`\nbindings steps (in process, ${PAYLOAD_FILE.replace(`${ROOT}/`, "")}):\n`);
  for (const row of stepRows) {
    const before = jsonPathPlusStep(row.value, row.step, testFilter);
    const after = selectStep(row.value, row.step);
    const same =
      row.step.kind === "recursive"
        ? isDeepStrictEqual(containers(before), containers(after))
        : isDeepStrictEqual(before, after);
    if (!same) {
      throw new Error(`${row.name}: jsonpath-plus and hookline's step select different values`);
    }
    const jp = measure(() => jsonPathPlusStep(row.value, row.step, testFilter), ms);
    const direct = measure(() => selectStep(row.value, row.step), ms);
    print("step", `${row.name}: jsonpath-plus`, jp);
    print("step", `${row.name}: direct`, direct, `  ×${(direct / jp).toFixed(1)}`);
  }

  process.stdout.write(`\nbindings expressions (evaluateExpression, body parsed):\n`);
  for (const [label, body] of [
    ["push", push],
    ["push of 20 commits", push20],
  ]) {
    for (const source of expressions) {
      const compiled = compileExpression(source);
      const ev = event(body);
      const once = evaluateExpression(compiled, ev);
      if (!once.ok) throw new Error(`$(${source}) failed: ${once.error}`);
      print(
        "expression",
        `$(${source}) on the ${label}`,
        measure(() => evaluateExpression(compiled, ev), ms),
      );
    }
  }
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runBindingsBench();
  } catch (err) {
    process.stderr.write(`bindings-bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
