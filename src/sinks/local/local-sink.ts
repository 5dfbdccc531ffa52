import { randomBytes } from "node:crypto";
import { link, mkdir, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { HooklineError } from "../../errors/hookline-error.js";
import type { RenderedResource } from "../../templates/types.js";
import type { CreatedResource, Sink } from "../types.js";

/** Kubernetes' rules for the parts of a path: a name cannot climb out of the output directory. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
/** The alphabet and length Kubernetes uses for generateName suffixes. */
const SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATE_ATTEMPTS = 8;

export interface LocalSinkConfig {
  outDir: string;
}

/**
 * Writes each resource as YAML to `OUT/<namespace>/<Kind>/<name>.yaml`, as the API server would
 * store it: `generateName` becomes a unique name, and an existing file is never overwritten
 * (write to a temporary file, then hard-link it into place, which fails if the name is taken).
 */
export function createLocalSink(config: LocalSinkConfig): Sink {
  const root = resolve(config.outDir);
  return {
    kind: "local",
    async create(resource: RenderedResource): Promise<CreatedResource> {
      validate(resource);
      const dir = join(root, resource.namespace, resource.kind);
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${randomBytes(8).toString("hex")}.tmp`);
      try {
        for (let attempt = 0; attempt < MAX_GENERATE_ATTEMPTS; attempt++) {
          const name = resource.name ?? `${(resource.generateName ?? "").slice(0, 58)}${suffix()}`;
          if (!DNS_SUBDOMAIN.test(name) || name.length > 253) throw invalid(resource, `metadata.name "${name}" is not a valid resource name`);
          const body = withName(resource.body, name);
          if (attempt === 0) await writeFile(tmp, stringify(body), { flag: "wx" });
          else await writeFile(tmp, stringify(body));
          const path = join(dir, `${name}.yaml`);
          try {
            await link(tmp, path);
            return { apiVersion: resource.apiVersion, kind: resource.kind, namespace: resource.namespace, name, location: path };
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
            if (resource.name !== undefined) {
              throw new HooklineError("HL_SINK_ALREADY_EXISTS", `${resource.kind} "${resource.namespace}/${name}" already exists`, {
                retryable: false,
                location: path,
              });
            }
          }
        }
        throw new HooklineError("HL_SINK_WRITE_FAILED", `no free name for generateName "${resource.generateName ?? ""}"`, { retryable: true });
      } catch (err) {
        if (err instanceof HooklineError) throw err;
        throw new HooklineError("HL_SINK_WRITE_FAILED", `could not write ${resource.kind}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { retryable: true }, { cause: err });
      } finally {
        await unlink(tmp).catch(() => undefined); // Already gone or never written: nothing to clean.
      }
    },
  };
}

function validate(resource: RenderedResource): void {
  if (!DNS_LABEL.test(resource.namespace)) throw invalid(resource, `metadata.namespace "${resource.namespace}" is not a valid namespace`);
  if (!KIND.test(resource.kind)) throw invalid(resource, `kind "${resource.kind}" is not a valid kind`);
  if (resource.name === undefined && (resource.generateName === undefined || resource.generateName === "")) {
    throw invalid(resource, "metadata.name or metadata.generateName is required");
  }
}

function invalid(resource: RenderedResource, message: string): HooklineError {
  return new HooklineError("HL_SINK_WRITE_FAILED", `${resource.kind} is invalid: ${message}`, { retryable: false });
}

function suffix(): string {
  const bytes = randomBytes(5);
  let out = "";
  for (const b of bytes) out += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return out;
}

function withName(body: Record<string, unknown>, name: string): Record<string, unknown> {
  // generateName stays beside the chosen name, as the API server keeps it.
  return { ...body, metadata: { ...(body["metadata"] as Record<string, unknown>), name } };
}
