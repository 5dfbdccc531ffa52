import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { parse } from "yaml";
import { join, resolve } from "node:path";
import { HooklineError } from "../../errors/hookline-error.js";
import type { RenderedPatch, RenderedResource } from "../../templates/types.js";
import {
  LABEL_DELIVERY_KEY,
  type CreatedResource,
  type PatchContext,
  type PatchedTarget,
  type Sink,
} from "../types.js";
import { tempName } from "./temp-name.js";
import { toYAML } from "./to-yaml.js";
import { writePatchFile } from "./write-patch-file.js";
import { createFileOffThread } from "./file-writer.js";
import { createLocalGroupRunStore, type LocalGroupRunStore } from "./local-group-runs.js";
import {
  LABEL_GROUP_HASH,
  type CancelledRun,
  type CancelSelector,
} from "../../concurrency/types.js";
import type { StartDelivery } from "../../store/types.js";

/** Kubernetes' rules for the parts of a path: a name cannot climb out of the output directory. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
/** The alphabet and length Kubernetes uses for generateName suffixes. */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATE_ATTEMPTS = 8;

export interface LocalSinkConfig {
  outDir: string;
  /**
   * The runs of concurrency groups in `outDir`, shared with the group scheduler (which it tells
   * of every write); one of its own by default.
   */
  groupRuns?: LocalGroupRunStore;
}

/**
 * Writes each resource as YAML to `OUT/<namespace>/<Kind>/<name>.yaml`, as the API server would
 * store it (and each patch beside them, see write-patch-file.ts): `generateName` becomes a unique name, and an existing file is never overwritten
 * (write to a temporary file, then hard-link it into place, which fails if the name is taken).
 *
 * A create's file calls (the temporary file, its link, its removal) run in the file writer's
 * thread, one round trip per file (file-writer.ts): on the bench machine's ext4 one file created
 * costs ~50–460 µs of system time (~20 µs on tmpfs), and blocked in `open` on the event loop they
 * were 31 % of its time at 100 connections. The rarer cancel, start and patch files stay
 * synchronous.
 */
export function createLocalSink(config: LocalSinkConfig): Sink {
  const root = resolve(config.outDir);
  const groupRuns = config.groupRuns ?? createLocalGroupRunStore({ outDir: config.outDir });
  const made = new Set<string>();
  const ensureDir = (dir: string): void => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    removeStaleTemporaries(dir);
    made.add(dir);
  };
  const write = async (resource: RenderedResource): Promise<CreatedResource> => {
    validate(resource);
    const dir = join(root, resource.namespace, resource.kind);
    ensureDir(dir);
    const tmp = join(dir, tempName());
    const key = labelsOf(resource.body)[LABEL_DELIVERY_KEY];
    for (let attempt = 0; attempt < MAX_GENERATE_ATTEMPTS; attempt++) {
      // validate() checked the name, or the generateName with a suffix of this alphabet.
      const name =
        resource.name ?? `${(resource.generateName ?? "").slice(0, 58)}${suffix(key, attempt)}`;
      const path = join(dir, `${name}.yaml`);
      const created: CreatedResource = {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        namespace: resource.namespace,
        name,
        location: path,
      };
      const outcome = await createFileOffThread(tmp, path, toYAML(withName(resource.body, name)));
      if (outcome.kind === "failed")
        throw Object.assign(new Error(`creating ${path}: ${outcome.code}`), { code: outcome.code });
      if (outcome.kind === "created") {
        announce(resource);
        return created;
      }
      // A retry of a create that succeeded before finds its own file: that is success.
      if (key !== undefined && deliveryKeyOf(path) === key) return created;
      if (resource.name !== undefined) {
        throw new HooklineError(
          "HL_SINK_ALREADY_EXISTS",
          `${resource.kind} "${resource.namespace}/${name}" already exists`,
          { retryable: false, location: path },
        );
      }
    }
    throw new HooklineError(
      "HL_SINK_WRITE_FAILED",
      `no free name for generateName "${resource.generateName ?? ""}"`,
      { retryable: true },
    );
  };
  /** A run of a concurrency group was written: the scheduler decides for its group. */
  const announce = (resource: RenderedResource): void => {
    const hash = labelsOf(resource.body)[LABEL_GROUP_HASH];
    if (hash === undefined || (resource.kind !== "PipelineRun" && resource.kind !== "TaskRun"))
      return;
    groupRuns.changed({
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      namespace: resource.namespace,
      groupHash: hash,
    });
  };
  /**
   * Cancels the selected runs of the group: `<name>.cancel.yaml` beside each, holding the merge
   * patch the cluster would get. One already cancelled or finished is left alone.
   */
  const cancel = (selector: CancelSelector): CancelledRun[] => {
    const address = {
      apiVersion: selector.apiVersion,
      kind: selector.kind,
      namespace: selector.namespace,
      groupHash: selector.groupHash,
    };
    const cancelled: CancelledRun[] = [];
    for (const run of groupRuns.runs(address)) {
      if (run.order >= selector.before) continue;
      if (!(run.phase === "pending" || (selector.scope === "all" && run.phase === "running")))
        continue;
      if (groupRuns.writeSide(run, "cancel", { spec: { status: selector.status } }))
        cancelled.push({
          kind: run.kind,
          namespace: run.namespace,
          name: run.name,
          location: groupRuns.sidePath(run, "cancel"),
        });
    }
    if (cancelled.length > 0) groupRuns.changed(address);
    return cancelled;
  };
  /** Starts a queued run: `<name>.start.yaml` (`spec.status: null`), once. */
  const start = (target: StartDelivery["target"]): CancelledRun => {
    const path = join(root, target.namespace, target.kind, `${target.name}.yaml`);
    const labels = labelsOf(readBody(path));
    const hash = labels[LABEL_GROUP_HASH];
    if (hash === undefined)
      throw new HooklineError(
        "HL_SINK_WRITE_FAILED",
        `${target.kind} "${target.namespace}/${target.name}" to start is not in ${root} (or not in a group)`,
        { retryable: false },
      );
    const address = {
      apiVersion: target.apiVersion,
      kind: target.kind,
      namespace: target.namespace,
      groupHash: hash,
    };
    const run = groupRuns.runs(address).find((r) => r.name === target.name);
    if (run?.phase === "pending") {
      groupRuns.writeSide(target, "start", { spec: { status: null } });
      groupRuns.changed(address);
    }
    return {
      kind: target.kind,
      namespace: target.namespace,
      name: target.name,
      location: groupRuns.sidePath(target, "start"),
    };
  };
  const attempt = async <T>(what: string, run: () => T | Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof HooklineError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // The directory was removed under us: forget it, so the next write makes it again.
      if (code === "ENOENT") made.clear();
      throw new HooklineError(
        "HL_SINK_WRITE_FAILED",
        `could not write ${what}: ${code ?? "error"}`,
        { retryable: true },
        { cause: err },
      );
    }
  };
  return {
    kind: "local",
    cancel(selector: CancelSelector): Promise<CancelledRun[]> {
      return attempt(`${selector.kind} cancellation`, () => cancel(selector));
    },
    start(target: StartDelivery["target"]): Promise<CancelledRun> {
      return attempt(`${target.kind} start`, () => start(target));
    },
    create(resource: RenderedResource): Promise<CreatedResource> {
      return attempt(resource.kind, () => write(resource));
    },
    patch(patch: RenderedPatch, ctx: PatchContext): Promise<PatchedTarget> {
      return attempt("Patch", () => writePatchFile(root, patch, ctx.deliveryKey, ensureDir));
    },
  };
}

const STALE_MS = 10 * 60_000;

/**
 * Temporary files a killed process left behind (written but never linked, or linked but never
 * removed): a new process removes those older than ten minutes when it first writes to a folder.
 */
function removeStaleTemporaries(dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(".hookline-") || !name.endsWith(".tmp")) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > STALE_MS) unlinkSync(join(dir, name));
    } catch {
      // Removed by another process meanwhile: nothing to do.
    }
  }
}

function validate(resource: RenderedResource): void {
  if (!DNS_LABEL.test(resource.namespace))
    throw invalid(resource, `metadata.namespace "${resource.namespace}" is not a valid namespace`);
  if (!KIND.test(resource.kind))
    throw invalid(resource, `kind "${resource.kind}" is not a valid kind`);
  if (
    resource.name === undefined &&
    (resource.generateName === undefined || resource.generateName === "")
  ) {
    throw invalid(resource, "metadata.name or metadata.generateName is required");
  }
  const name = resource.name ?? `${(resource.generateName ?? "").slice(0, 58)}bcdfg`;
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    throw invalid(
      resource,
      `metadata.name "${resource.name ?? resource.generateName ?? ""}" is not a valid resource name`,
    );
  }
  // `x.start.yaml` is run x's start: a run named `x.start` would write it (and stall x's queue).
  if (SIDE_FILE_NAME.test(name))
    throw invalid(
      resource,
      `metadata.name "${name}" ends like the local sink's own files (.cancel, .start, .status, .patch): choose another name`,
    );
}

/** Names the local sink's side files end in (name.cancel.yaml, name.start.yaml, …). */
const SIDE_FILE_NAME = /\.(cancel|start|status|patch)$/;

function invalid(resource: RenderedResource, message: string): HooklineError {
  return new HooklineError("HL_SINK_WRITE_FAILED", `${resource.kind} is invalid: ${message}`, {
    retryable: false,
  });
}

/**
 * The generateName suffix: five characters of the alphabet Kubernetes uses. With a delivery key it
 * is derived from the key (and the attempt, on a clash), so a retried create after a crash picks
 * the same name and finds its own earlier file instead of writing a second copy.
 */
function suffix(key: string | undefined, attempt: number): string {
  const bytes =
    key === undefined
      ? randomBytes(5)
      : createHash("sha256").update(`${key}:${attempt}`).digest().subarray(0, 5);
  let out = "";
  for (const b of bytes) out += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return out;
}

function labelsOf(body: Record<string, unknown>): Record<string, string> {
  const meta = body["metadata"];
  const labels =
    typeof meta === "object" && meta !== null
      ? (meta as Record<string, unknown>)["labels"]
      : undefined;
  return typeof labels === "object" && labels !== null ? (labels as Record<string, string>) : {};
}

/** A resource file as an object; `{}` when it is absent or unreadable. */
function readBody(path: string): Record<string, unknown> {
  try {
    const value: unknown = parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {}; // Absent or not YAML: not a run to start.
  }
}

/** The delivery key an existing file carries, if it can be read. */
function deliveryKeyOf(path: string): string | undefined {
  try {
    return labelsOf(parse(readFileSync(path, "utf8")) as Record<string, unknown>)[
      LABEL_DELIVERY_KEY
    ];
  } catch {
    return undefined; // Unreadable or not ours: treated as another resource.
  }
}

function withName(body: Record<string, unknown>, name: string): Record<string, unknown> {
  // generateName stays beside the chosen name, as the API server keeps it.
  return { ...body, metadata: { ...(body["metadata"] as Record<string, unknown>), name } };
}
