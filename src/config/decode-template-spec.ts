import { isMap, isScalar, isSeq } from "yaml";
import {
  decodeList,
  decodeMap,
  decodeString,
  childPath,
  type DecodeContext,
  type Field,
} from "./decode.js";
import type { ParamSpec, TriggerTemplateSpec } from "./types.js";
import { TT_PARAM } from "../templates/compile-template.js";
import { isPatchEntry } from "../templates/rendered-patch.js";
import { checkPatchTemplate } from "./check-patch-template.js";

/** Decodes a TriggerTemplate spec (also used for a trigger's embedded `template.spec`). */
export function decodeTemplateSpec(
  field: Field,
  cx: DecodeContext,
): TriggerTemplateSpec | undefined {
  const f = decodeMap(field.node, field.path, cx, ["params", "resourcetemplates"]);
  if (f === undefined) return undefined;
  const params = decodeList(f.get("params"), cx, (el) => decodeParamSpec(el, cx));
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p.name))
      cx.error(field.node, childPath(field.path, "params"), `param "${p.name}" is declared twice`);
    seen.add(p.name);
  }
  const rtField = f.get("resourcetemplates");
  const resourcetemplates = decodeList(rtField, cx, (el) => decodeResourceTemplate(el, cx, seen));
  if (rtField === undefined || resourcetemplates.length === 0) {
    if (
      rtField === undefined ||
      (isSeq(cx.deref(rtField.node)) && resourcetemplates.length === 0)
    ) {
      cx.error(
        rtField?.node ?? field.node,
        childPath(field.path, "resourcetemplates"),
        "missing field: resourcetemplates must list at least one resource",
      );
    }
  }
  return { params, resourcetemplates, loc: cx.loc(field.node, field.path) };
}

function decodeParamSpec(el: Field, cx: DecodeContext): ParamSpec | undefined {
  const f = decodeMap(el.node, el.path, cx, ["name", "description", "default"]);
  if (f === undefined) return undefined;
  const name = decodeString(f.get("name"), cx);
  if (name === undefined || name === "")
    return cx.error(el.node, `${el.path}.name`, "missing field: name");
  const spec: ParamSpec = { name };
  const description = decodeString(f.get("description"), cx);
  if (description !== undefined) spec.description = description;
  const def = decodeString(f.get("default"), cx);
  if (def !== undefined) spec.default = def;
  return spec;
}

function decodeResourceTemplate(
  el: Field,
  cx: DecodeContext,
  declared: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  const node = cx.deref(el.node);
  if (!isMap(node)) return cx.error(node, el.path, "a resource template must be an object");
  const json = cx.toJSON(node, el.path);
  // Too many aliases (reported): walking its params would repeat the expansion.
  if (json === undefined) return undefined;
  const value = json as Record<string, unknown>;
  let ok = true;
  for (const key of ["apiVersion", "kind"]) {
    if (typeof value[key] !== "string" || value[key] === "") {
      cx.error(node, `${el.path}.${key}`, `missing field: ${key}`);
      ok = false;
    }
  }
  // A hookline.dev/v1alpha1 Patch entry changes an existing object: its own shape is checked.
  if (ok && isPatchEntry(value) && !checkPatchTemplate(el, cx)) ok = false;
  checkDeclaredParams(node, el.path, cx, declared);
  return ok ? value : undefined;
}

/** Every `$(tt.params.x)` must be declared in spec.params (Tekton's admission rule). */
function checkDeclaredParams(
  node: unknown,
  path: string,
  cx: DecodeContext,
  declared: ReadonlySet<string>,
): void {
  const n = cx.deref(node);
  if (isScalar(n)) {
    if (typeof n.value !== "string") return;
    for (const m of n.value.matchAll(TT_PARAM)) {
      const name = m[1] ?? "";
      if (!declared.has(name)) {
        cx.error(
          n,
          path,
          `undeclared param '$(tt.params.${name})': it must be declared in spec.params`,
        );
      }
    }
    return;
  }
  if (isMap(n)) {
    for (const pair of n.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      checkDeclaredParams(pair.key, path, cx, declared);
      checkDeclaredParams(pair.value, childPath(path, key), cx, declared);
    }
  } else if (isSeq(n)) {
    n.items.forEach((item, i) => checkDeclaredParams(item, `${path}[${i}]`, cx, declared));
  }
}
