import {
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import {
  ANNOTATION_GROUP,
  ANNOTATION_MAX_KEEP_RUNS,
  ANNOTATION_MAX_RUNNING,
  LABEL_GROUP_HASH,
  LABEL_GROUP_ORDER,
  type ConcurrentKind,
  type GroupAddress,
  type GroupRun,
  type GroupRunStore,
} from "../../concurrency/types.js";
import { HooklineError } from "../../errors/hookline-error.js";
import { tempName } from "./temp-name.js";
import { toYAML } from "./to-yaml.js";

/** The side files of a run `OUT/<ns>/<Kind>/<name>.yaml`, each written once. */
export type RunSideFile = "cancel" | "start" | "status";

/** How a run on a laptop finished (`hookline runs finish --reason`). */
export type FinishReason = "Succeeded" | "Failed";

const KINDS: readonly ConcurrentKind[] = ["PipelineRun", "TaskRun"];
const PENDING = new Set(["PipelineRunPending", "TaskRunPending"]);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A run of a group as its files show it, with where its resource file is. */
export interface LocalGroupRun extends GroupRun {
  path: string;
}

export interface FinishedRun {
  kind: ConcurrentKind;
  namespace: string;
  name: string;
  /** The status file. */
  location: string;
  /** It had finished (or been cancelled) before: nothing was written. */
  already: boolean;
}

/**
 * The local sink's runs of concurrency groups (issue 12), read from its output directory: a run
 * is `OUT/<ns>/<Kind>/<name>.yaml` with the group labels; beside it `<name>.cancel.yaml` (the
 * merge patch a cancellation would send the cluster), `<name>.start.yaml` (the start's patch,
 * `spec.status: null`) and `<name>.status.yaml` (a Succeeded condition, written by `hookline runs
 * finish`). Phases: done when the status file says True or False or a cancel file exists;
 * pending when the resource says PipelineRunPending / TaskRunPending and no start file exists;
 * running otherwise. Every write by the sink, a finish and a delete is announced in-process to
 * the watchers (the group scheduler).
 */
export interface LocalGroupRunStore extends GroupRunStore {
  /** Announce a change of this group (the sink calls it after each write). */
  changed(group: GroupAddress): void;
  /** The group's runs with their paths. */
  runs(group: GroupAddress): LocalGroupRun[];
  /** Writes a side file once (temporary file, then a hard link); false: it was there already. */
  writeSide(
    run: { namespace: string; kind: string; name: string },
    side: RunSideFile,
    body: unknown,
  ): boolean;
  sidePath(run: { namespace: string; kind: string; name: string }, side: RunSideFile): string;
  /** Marks a run finished (`POST /api/v1/runs/{ns}/{kind}/{name}/finish`). */
  finish(
    target: { namespace: string; kind: string; name: string },
    reason: FinishReason,
  ): FinishedRun;
}

export function createLocalGroupRunStore(config: { outDir: string }): LocalGroupRunStore {
  const root = resolve(config.outDir);
  const watchers = new Set<(group: GroupAddress) => void>();
  const dirOf = (namespace: string, kind: string): string => join(root, namespace, kind);
  const sidePath = (
    run: { namespace: string; kind: string; name: string },
    side: RunSideFile,
  ): string => join(dirOf(run.namespace, run.kind), `${run.name}.${side}.yaml`);

  const changed = (group: GroupAddress): void => {
    for (const w of watchers) {
      try {
        w(group);
      } catch {
        // A watcher's own failure is its own (the scheduler logs its passes).
      }
    }
  };

  const readRuns = (
    namespace: string,
    kind: ConcurrentKind,
    groupHash?: string,
  ): LocalGroupRun[] => {
    const dir = dirOf(namespace, kind);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return []; // Nothing written there yet.
    }
    const runs: LocalGroupRun[] = [];
    for (const file of names) {
      if (!file.endsWith(".yaml") || file.startsWith(".")) continue;
      const path = join(dir, file);
      const body = readYaml(path);
      const meta = objectAt(body, "metadata");
      const labels = objectAt(meta, "labels");
      const hash = labels[LABEL_GROUP_HASH];
      // Side files and patches carry no group label: only the runs themselves are read.
      if (typeof hash !== "string" || (groupHash !== undefined && hash !== groupHash)) continue;
      if (body["kind"] !== kind || typeof meta["name"] !== "string") continue;
      const name = meta["name"];
      const annotations = objectAt(meta, "annotations");
      const run: LocalGroupRun = {
        apiVersion: typeof body["apiVersion"] === "string" ? body["apiVersion"] : "tekton.dev/v1",
        kind,
        namespace,
        name,
        order: typeof labels[LABEL_GROUP_ORDER] === "string" ? labels[LABEL_GROUP_ORDER] : "",
        phase: "running",
        maxRunning: positive(annotations[ANNOTATION_MAX_RUNNING]) ?? 1,
        maxKeepRuns: positive(annotations[ANNOTATION_MAX_KEEP_RUNS]),
        path,
      };
      if (typeof annotations[ANNOTATION_GROUP] === "string")
        run.group = annotations[ANNOTATION_GROUP];
      const ref = { namespace, kind, name };
      const status = readYaml(sidePath(ref, "status"));
      const succeeded = conditionStatus(status);
      const cancelled = existsSync(sidePath(ref, "cancel"));
      if (succeeded === "True" || succeeded === "False" || cancelled) {
        run.phase = "done";
        const finished = mtime(sidePath(ref, succeeded === undefined ? "cancel" : "status"));
        if (finished !== undefined) run.finishedAt = finished;
      } else if (
        PENDING.has(String(objectAt(body, "spec")["status"])) &&
        !existsSync(sidePath(ref, "start"))
      ) {
        run.phase = "pending";
      }
      runs.push(run);
    }
    return runs;
  };

  const writeSide = (
    run: { namespace: string; kind: string; name: string },
    side: RunSideFile,
    body: unknown,
  ): boolean => {
    const path = sidePath(run, side);
    const tmp = join(dirOf(run.namespace, run.kind), tempName());
    try {
      writeFileSync(tmp, toYAML(body), { flag: "wx" });
      try {
        linkSync(tmp, path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
      }
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        // Never written: nothing to clean up.
      }
    }
  };

  /** The group a run file belongs to, read from the file (labels and apiVersion). */
  const addressOf = (run: {
    namespace: string;
    kind: ConcurrentKind;
    path: string;
  }): GroupAddress | undefined => {
    const body = readYaml(run.path);
    const hash = objectAt(objectAt(body, "metadata"), "labels")[LABEL_GROUP_HASH];
    const apiVersion =
      typeof body["apiVersion"] === "string" ? body["apiVersion"] : "tekton.dev/v1";
    return typeof hash === "string"
      ? { apiVersion, kind: run.kind, namespace: run.namespace, groupHash: hash }
      : undefined;
  };

  /** Every group with a run in the directory (for a watcher that starts: resume after a restart). */
  const allGroups = (): GroupAddress[] => {
    const found = new Map<string, GroupAddress>();
    let namespaces: string[];
    try {
      namespaces = readdirSync(root);
    } catch {
      return [];
    }
    for (const namespace of namespaces) {
      if (!DNS_LABEL.test(namespace)) continue;
      for (const kind of KINDS) {
        for (const run of readRuns(namespace, kind)) {
          const address = addressOf(run);
          if (address !== undefined)
            found.set(`${namespace}/${kind}/${address.groupHash}`, address);
        }
      }
    }
    return [...found.values()];
  };

  return {
    changed,
    runs: (group) => readRuns(group.namespace, group.kind, group.groupHash),
    writeSide,
    sidePath,
    list(group) {
      try {
        return Promise.resolve(
          readRuns(group.namespace, group.kind, group.groupHash).map(
            ({ path: _path, ...run }) => run,
          ),
        );
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    delete(run) {
      const ref = { namespace: run.namespace, kind: run.kind, name: run.name };
      const main = join(dirOf(run.namespace, run.kind), `${run.name}.yaml`);
      const group = existsSync(main) ? addressOf({ ...run, path: main }) : undefined;
      for (const path of [
        main,
        ...(["cancel", "start", "status"] as const).map((s) => sidePath(ref, s)),
      ]) {
        try {
          unlinkSync(path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT")
            return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
      }
      if (group !== undefined) changed(group);
      return Promise.resolve();
    },
    watch(onChange) {
      watchers.add(onChange);
      // What the directory holds already: runs queued before a restart are decided again.
      setImmediate(() => {
        if (!watchers.has(onChange)) return;
        for (const group of allGroups()) onChange(group);
      });
      return {
        stop: () => {
          watchers.delete(onChange);
          return Promise.resolve();
        },
      };
    },
    finish(target, reason) {
      const problem = !DNS_LABEL.test(target.namespace)
        ? `namespace "${target.namespace}" is not a valid namespace`
        : !(KINDS as readonly string[]).includes(target.kind)
          ? `kind "${target.kind}" is not PipelineRun or TaskRun`
          : !DNS_SUBDOMAIN.test(target.name) || target.name.length > 253
            ? `name "${target.name}" is not a valid resource name`
            : undefined;
      if (problem !== undefined) throw new HooklineError("HL_ADMIN_BAD_REQUEST", problem);
      const kind = target.kind as ConcurrentKind;
      const main = join(dirOf(target.namespace, kind), `${target.name}.yaml`);
      const body = readYaml(main);
      if (body["kind"] !== kind)
        throw new HooklineError(
          "HL_RUN_NOT_FOUND",
          `no ${kind} "${target.namespace}/${target.name}" in the output directory`,
        );
      const ref = { namespace: target.namespace, kind, name: target.name };
      const location = sidePath(ref, "status");
      const already =
        existsSync(sidePath(ref, "cancel")) ||
        !writeSide(ref, "status", {
          apiVersion: typeof body["apiVersion"] === "string" ? body["apiVersion"] : "tekton.dev/v1",
          kind,
          metadata: { namespace: target.namespace, name: target.name },
          status: {
            conditions: [
              {
                type: "Succeeded",
                status: reason === "Succeeded" ? "True" : "False",
                reason,
                lastTransitionTime: new Date().toISOString(),
              },
            ],
            completionTime: new Date().toISOString(),
          },
        });
      const address = addressOf({ ...ref, path: main });
      if (address !== undefined) changed(address);
      return { kind, namespace: target.namespace, name: target.name, location, already };
    },
  };
}

function readYaml(path: string): Record<string, unknown> {
  try {
    const value: unknown = parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {}; // Absent, or not ours to read: nothing.
  }
}

function objectAt(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = value[key];
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

function positive(value: unknown): number | undefined {
  const n = typeof value === "string" ? Number(value) : undefined;
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The Succeeded condition's status in a status file, if it has one. */
function conditionStatus(status: Record<string, unknown>): string | undefined {
  const conditions = objectAt(status, "status")["conditions"];
  if (!Array.isArray(conditions)) return undefined;
  for (const c of conditions as unknown[]) {
    if (typeof c !== "object" || c === null) continue;
    const cond = c as Record<string, unknown>;
    if (cond["type"] === "Succeeded" && typeof cond["status"] === "string") return cond["status"];
  }
  return undefined;
}

function mtime(path: string): Date | undefined {
  try {
    return statSync(path).mtime;
  } catch {
    return undefined;
  }
}
