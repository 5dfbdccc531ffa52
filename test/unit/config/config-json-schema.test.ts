import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { CONFIG_SCHEMA_FILE, configJsonSchema } from "../../../src/config/config-json-schema.js";
import { loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

const TEKTON_EXAMPLES = "../shared/tekton-examples";

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every document of every YAML file under `dir` (a git-symlink stub is not YAML: left out). */
function documents(dir: string): { file: string; doc: unknown }[] {
  return yamlFiles(dir).flatMap((file) =>
    parseAllDocuments(readFileSync(file, "utf8"))
      .map((d) => ({ file, doc: d.toJS() as unknown }))
      .filter(({ doc }) => typeof doc === "object" && doc !== null),
  );
}

/** An ajv error's place as `validate` names fields: `spec.triggers[0].bindingz`. */
function fieldOf(e: ErrorObject): string {
  const segments = e.instancePath.split("/").slice(1);
  const extra =
    e.keyword === "additionalProperties" ? [String(e.params["additionalProperty"])] : [];
  return [...segments, ...extra]
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join("");
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(configJsonSchema());

describe("the config JSON Schema", () => {
  it("is the committed file, as `npm run schema` writes it", () => {
    expect(readFileSync(CONFIG_SCHEMA_FILE, "utf8")).toBe(
      `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
    );
  });

  it("accepts every document of examples/config", () => {
    const docs = documents("examples/config");
    expect(docs.length).toBeGreaterThan(5);
    for (const { file, doc } of docs)
      expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it.skipIf(!existsSync(TEKTON_EXAMPLES))(
    `accepts every document of ${TEKTON_EXAMPLES}${existsSync(TEKTON_EXAMPLES) ? "" : " (skipped: the folder is absent)"}`,
    () => {
      const docs = documents(TEKTON_EXAMPLES);
      expect(docs.length).toBeGreaterThan(10);
      for (const { file, doc } of docs)
        expect(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    },
  );

  it("refuses an unknown field at the path `validate` names", async () => {
    const text = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
    - name: push
      bindingz: []
      template:
        ref: tt
`;
    const [doc] = parseAllDocuments(text).map((d) => d.toJS() as unknown);
    expect(validate(doc)).toBe(false);
    const unknown = (validate.errors ?? []).filter((e) => e.keyword === "additionalProperties");
    expect(unknown.map(fieldOf)).toEqual(["spec.triggers[0].bindingz"]);
    const dir = await writeConfigDir({ "el.yaml": text });
    const config = await loadConfigDir(dir, { registry: createBuiltinRegistry() });
    const fields = config.issues.filter((i) => i.severity === "error").map((i) => i.loc.field);
    expect(fields).toContain("spec.triggers[0].bindingz");
  });

  it("accepts a kind hookline skips (a Task), and checks the items of a v1 List", () => {
    expect(validate({ apiVersion: "tekton.dev/v1", kind: "Task", spec: { anything: 1 } })).toBe(
      true,
    );
    const list = (spec: unknown): unknown => ({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "triggers.tekton.dev/v1beta1",
          kind: "TriggerBinding",
          metadata: { name: "b" },
          spec,
        },
      ],
    });
    expect(validate(list({ params: [{ name: "a", value: "$(body.a)" }] }))).toBe(true);
    expect(validate(list({ params: [], bogus: true }))).toBe(false);
  });
});
