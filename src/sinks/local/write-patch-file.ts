import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HooklineError } from "../../errors/hookline-error.js";
import { describePatchTarget, PATCH_API_VERSION, PATCH_KIND } from "../../core/patch-entry.js";
import type { RenderedPatch } from "../../templates/types.js";
import type { PatchedTarget } from "../types.js";
import { tempName } from "./temp-name.js";
import { toYAML } from "./to-yaml.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
const DELIVERY_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Writes a patch beside the resources, as `OUT/<namespace>/<Kind>/<name>.<deliveryKey>.patch.yaml`
 * (the target and the patch; the target itself is not read or changed): one file per event and
 * entry, so every patch a target received can be seen. A retry finds its own file and succeeds;
 * an existing file is never overwritten (temporary file, then a hard link).
 */
export function writePatchFile(
  root: string,
  patch: RenderedPatch,
  deliveryKey: string,
  ensureDir: (dir: string) => void,
): PatchedTarget {
  const { target } = patch;
  const problem = !DNS_LABEL.test(target.namespace)
    ? `target.namespace "${target.namespace}" is not a valid namespace`
    : !KIND.test(target.kind)
      ? `target.kind "${target.kind}" is not a valid kind`
      : !DNS_SUBDOMAIN.test(target.name) || target.name.length > 253
        ? `target.name "${target.name}" is not a valid resource name`
        : !DELIVERY_KEY.test(deliveryKey)
          ? `delivery key "${deliveryKey}" cannot name a file`
          : undefined;
  if (problem !== undefined) {
    throw new HooklineError("HL_SINK_WRITE_FAILED", `Patch is invalid: ${problem}`, {
      retryable: false,
    });
  }
  const dir = join(root, target.namespace, target.kind);
  ensureDir(dir);
  const path = join(dir, `${target.name}.${deliveryKey}.patch.yaml`);
  const text = toYAML({
    apiVersion: PATCH_API_VERSION,
    kind: PATCH_KIND,
    metadata: { labels: { "hookline.dev/delivery-key": deliveryKey } },
    spec: { target, type: patch.type, patch: patch.patch },
  });
  const tmp = join(dir, tempName());
  const patched: PatchedTarget = { ...target, location: path };
  try {
    writeFileSync(tmp, text, { flag: "wx" });
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // The delivery key is in the name: the file is this delivery's, from an earlier attempt.
      if (readFileSync(path, "utf8") !== text) {
        throw new HooklineError(
          "HL_SINK_ALREADY_EXISTS",
          `Patch of ${describePatchTarget(target)}: ${path} already exists with other content`,
          { retryable: false, location: path },
        );
      }
    }
    return patched;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Never written, or already gone: nothing to clean up.
    }
  }
}
