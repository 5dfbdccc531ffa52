import { statSync } from "node:fs";
import { join } from "node:path";
import type { SecretRef } from "../interceptors/types.js";
import type { DecodedConfig } from "./decoded-config.js";
import { warning } from "./issues.js";
import type { ConfigIssue, TriggerInterceptor } from "./types.js";

/** Where `validate` looks for the Secrets a config names. */
export interface SecretPlaces {
  /** The config's own `kind: Secret` documents, by `namespace/name` (`CompiledConfig.secrets`). */
  fromConfig: ReadonlyMap<string, Readonly<Record<string, Buffer>>>;
  /** The secrets directory (`--secrets`, `HOOKLINE_SECRETS_DIR`): `DIR/<secretName>/<secretKey>`. */
  dir: string | undefined;
}

/** As the secret resolver: names that cannot climb out of the secrets directory. */
const SAFE_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * A warning for every `secretRef` of an in-process interceptor (its `secretRefs(params)`) that
 * names a Secret, or a key, found neither among the config's Secrets nor in the secrets directory:
 * at run time such a trigger fails with HL_SECRET_NOT_FOUND. Only a warning, because a Secret of
 * the cluster (`serve --config kubernetes`) cannot be checked offline. Names only, never values.
 */
export function checkSecretRefs(decoded: DecodedConfig, places: SecretPlaces): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const reported = new Set<TriggerInterceptor>();
  const check = (interceptors: readonly TriggerInterceptor[], namespace: string): void => {
    for (const step of interceptors) {
      const compiled = step.kind === "ref" ? decoded.compiled.get(step) : undefined;
      if (compiled === undefined || reported.has(step)) continue;
      reported.add(step);
      for (const ref of compiled.interceptor.secretRefs?.(compiled.params) ?? []) {
        const missing = whatIsMissing(ref, namespace, places);
        if (missing === undefined) continue;
        const where =
          places.dir === undefined
            ? "among the config's Secrets (no secrets directory given: --secrets)"
            : `among the config's Secrets or in the secrets directory ${places.dir}`;
        issues.push(
          warning(
            { ...step.loc, field: `${step.loc.field}.params` },
            `${compiled.interceptor.name}: ${missing} ${where}; a Secret in the cluster cannot be checked offline — if it is not there either, the trigger fails with HL_SECRET_NOT_FOUND`,
          ),
        );
      }
    }
  };
  for (const obj of decoded.objects) {
    if (obj.kind === "EventListener") {
      for (const t of obj.spec.triggers) check(t.interceptors, obj.metadata.namespace);
      for (const g of obj.spec.triggerGroups) check(g.interceptors, obj.metadata.namespace);
    } else if (obj.kind === "Trigger") {
      check(obj.spec.interceptors, obj.metadata.namespace);
    }
  }
  return issues;
}

function whatIsMissing(
  ref: SecretRef,
  namespace: string,
  places: SecretPlaces,
): string | undefined {
  // An empty name or key is refused at run time with its own message; nothing to look up.
  if (ref.secretName === "" || ref.secretKey === "") return undefined;
  const secret = places.fromConfig.get(`${namespace}/${ref.secretName}`);
  if (secret?.[ref.secretKey] !== undefined) return undefined;
  if (
    places.dir !== undefined &&
    SAFE_NAME.test(ref.secretName) &&
    SAFE_NAME.test(ref.secretKey) &&
    isFile(join(places.dir, ref.secretName, ref.secretKey))
  )
    return undefined;
  return secret === undefined
    ? `secret ${namespace}/${ref.secretName} not found`
    : `key ${ref.secretKey} not found in secret ${namespace}/${ref.secretName}`;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // absent or unreadable: the resolver could not read it either
  }
}
