import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { createDecodedConfig, type DecodedConfig } from "../../../src/config/decoded-config.js";
import { loadYamlFast } from "../../../src/config/fast-yaml-load.js";
import { buildFastNodes } from "../../../src/config/fast-yaml-nodes.js";
import { FastDocument, FastFile } from "../../../src/config/fast-yaml-positions.js";
import { formatIssue } from "../../../src/config/issues.js";
import { decodeConfigText } from "../../../src/config/load-config.js";
import { runAtOnce } from "../../../src/config/run-in-turns.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";

/**
 * The fast reading of a config file (js-yaml, positions found only when asked) must decode to
 * exactly what the slow one (yaml, positioned) does: the same objects, the same issues at the
 * same file:line:column and field, the same compiled interceptors. Every YAML and JSON file of the
 * examples, the test fixtures and Tekton's examples, and a set of hand-written edge documents, are
 * decoded both ways and compared.
 */
const ROOT = new URL("../../..", import.meta.url).pathname;
const TEKTON_EXAMPLES = join(ROOT, "../shared/tekton-examples");
const registry = createBuiltinRegistry();

function decode(text: string, reading: "fast-if-possible" | "slow"): unknown {
  const out = createDecodedConfig(registry.names());
  decodeConfigText(text, "config.yaml", registry, out, reading);
  return snapshot(out);
}

/** The decoded config as plain data: objects (Locs read out), issues, compiled interceptors. */
function snapshot(out: DecodedConfig): unknown {
  const plain = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(plain);
    if (v === null || typeof v !== "object") return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    const compiled = out.compiled.get(v as never);
    if (compiled !== undefined) o["(compiled)"] = compiled.interceptor.name;
    return o;
  };
  return {
    objects: plain(out.objects),
    issues: out.issues.map((i) => ({ ...i, text: formatIssue(i) })),
  };
}

/** Whether `text` is read the fast way (else both decodes take the slow way: no comparison). */
function readsFast(text: string): boolean {
  const read = loadYamlFast(text);
  if (read === undefined) return false;
  const file = new FastFile(text);
  return read.docs.every((value) => {
    const kinds: number[] = [];
    return (
      runAtOnce(buildFastNodes(value, new FastDocument(file, kinds, false), kinds)) !== undefined
    );
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return filesUnder(p);
    return /\.(ya?ml|json)$/.test(name) ? [p] : [];
  });
}

describe("the fast and the slow reading of a config file", () => {
  const corpus = [
    ...filesUnder(join(ROOT, "examples")),
    ...filesUnder(join(ROOT, "test/fixtures")),
  ];

  it.each(corpus.map((p) => [relative(ROOT, p), p]))("decode %s alike", (_name, path) => {
    const text = readFileSync(path, "utf8");
    expect(decode(text, "fast-if-possible")).toEqual(decode(text, "slow"));
  });

  it("the examples are read the fast way", () => {
    const yaml = corpus.filter((p) => /\.ya?ml$/.test(p));
    expect(yaml.length).toBeGreaterThan(5);
    expect(
      yaml.filter((p) => !readsFast(readFileSync(p, "utf8"))).map((p) => relative(ROOT, p)),
    ).toEqual([]);
  });

  const tekton = filesUnder(TEKTON_EXAMPLES);
  it.skipIf(tekton.length === 0)(
    `decode Tekton's examples alike${tekton.length === 0 ? " (skipped: ../shared/tekton-examples is missing; the run's first line says how to get it)" : ""}`,
    () => {
      for (const path of tekton) {
        const text = readFileSync(path, "utf8");
        expect({ path, ...(decode(text, "fast-if-possible") as object) }).toEqual({
          path,
          ...(decode(text, "slow") as object),
        });
      }
    },
  );

  it.each(EDGE_DOCUMENTS.map((e) => [e.name, e]))("decode alike: %s", (_name, e) => {
    expect(readsFast(e.text)).toBe(e.fast);
    const fast = decode(e.text, "fast-if-possible");
    expect(fast).toEqual(decode(e.text, "slow"));
    if (e.issues !== undefined) {
      expect((fast as { issues: { text: string }[] }).issues.map((i) => i.text)).toEqual(e.issues);
    }
  });
});

const LISTENER = `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  triggers:
`;
const BINDING = `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: tb
`;

/** `fast`: whether the fast reading takes it (else it is read the slow way). */
const EDGE_DOCUMENTS: { name: string; text: string; fast: boolean; issues?: string[] }[] = [
  {
    name: "quoted and plain true and 1 where a string is due",
    fast: true,
    text: `${BINDING}  labels:
    a: "true"
    b: true
    c: '1'
    d: 1
    e: 0o17
    f: 0x1F
    g: .inf
    h: -.5
    i: 1e3
    j: ~
    k: Null
spec:
  params:
    - name: x
      value: true
    - name: y
      value: "1"
`,
    issues: [
      "config.yaml:7:8 metadata.labels[b]: expected a string, got a boolean",
      "config.yaml:9:8 metadata.labels[d]: expected a string, got a number",
      "config.yaml:10:8 metadata.labels[e]: expected a string, got a number",
      "config.yaml:11:8 metadata.labels[f]: expected a string, got a number",
      "config.yaml:12:8 metadata.labels[g]: expected a string, got a number",
      "config.yaml:13:8 metadata.labels[h]: expected a string, got a number",
      "config.yaml:14:8 metadata.labels[i]: expected a string, got a number",
      "config.yaml:20:14 spec.params[0].value: expected a string, got a boolean",
    ],
  },
  {
    name: "empty values",
    fast: true,
    text: `${BINDING}spec:
  params:
    - name:
      value:
    -
    - name: z
`,
  },
  {
    name: "several documents, empty ones, end markers and comments",
    fast: true,
    text: `# a comment before all
---
---
${BINDING}spec: # the spec
  params: [] # none
...
---
# only a comment
---
~
---
${BINDING.replace("tb", "tb2")}spec:
  params:
    - {name: a, value: $(body.a)}   # flow
    - name: b
      value: >-
        $(body.b)
        folded
`,
  },
  { name: "only ---", fast: true, text: "---\n" },
  { name: "an empty file", fast: true, text: "" },
  { name: "only comments", fast: true, text: "# nothing\n# here\n" },
  {
    name: "block scalars with CEL errors inside, plain, quoted and block",
    fast: true,
    text: `${LISTENER}    - name: t1
      interceptors:
        - ref: {name: cel}
          params:
            - name: filter
              value: body.a == 'x' &&
      template: {ref: tt}
    - name: t2
      interceptors:
        - ref: {name: cel}
          params:
            - name: filter
              value: "body.a ==+ 'x'"
            - name: overlays
              value:
                - key: k
                  expression: 'body.b +'
      template: {ref: tt}
    - name: t3
      interceptors:
        - ref: {name: cel}
          params:
            - name: filter
              value: |
                body.a == 'x' &&
                body.b ==
      template: {ref: tt}
`,
    // The column inside the expression: plain, quoted (one more for the quote), block (none).
    issues: [
      `config.yaml:12:38 spec.triggers[0].interceptors[0].params[0].value: failed to parse expression "body.a == 'x' &&": unexpected token: EOF`,
      `config.yaml:19:32 spec.triggers[1].interceptors[0].params[0].value: failed to parse expression "body.a ==+ 'x'": unexpected token: PLUS`,
      `config.yaml:30:22 spec.triggers[2].interceptors[0].params[0].value: failed to parse expression "body.a == 'x' &&\\nbody.b ==\\n": unexpected token: EOF`,
    ],
  },
  {
    name: "keys that are not strings",
    fast: false,
    text: `${BINDING}  labels:
    1: one
    true: yes
    null: nothing
spec:
  params: []
`,
  },
  {
    name: "a quoted key that looks like a number",
    fast: false,
    text: `${BINDING}  labels:
    "2": two
    b: bee
spec: {}
`,
  },
  {
    name: "a key that is a float or a list",
    fast: false,
    text: `${BINDING}  labels:
    .inf: x
    [a, b]: y
spec: {}
`,
  },
  {
    name: "a key with a comma",
    fast: false,
    text: `${BINDING}  labels:
    "a,b": x
spec: {}
`,
  },
  {
    name: "anchors, aliases and a merge key (YAML 1.2 does not merge)",
    fast: false,
    text: `${BINDING}  labels: &l
    a: b
  annotations:
    <<: *l
spec:
  params:
    - &p {name: x, value: $(body.x)}
    - *p
`,
  },
  {
    name: "a merge key without aliases",
    fast: true,
    text: `${BINDING}spec:
  <<: {params: []}
  params: []
`,
  },
  {
    name: "duplicate keys",
    fast: false,
    text: `${BINDING}spec:
  params: []
  params: []
`,
  },
  {
    name: "tags",
    fast: false,
    text: `${BINDING}  labels:
    a: !!str 1
spec: !custom {}
`,
  },
  {
    name: "the non-specific tag",
    fast: false,
    text: `${BINDING}  labels:\n    a: ! 1\nspec: {}\n`,
  },
  {
    name: "a syntax error",
    fast: false,
    text: `${BINDING}spec:
  params:
    - name: "unclosed
`,
  },
  {
    name: "bad indentation",
    fast: false,
    text: `${BINDING}spec:
  params:
   - name: a
  - name: b
`,
  },
  {
    name: "a tab in the indentation",
    fast: false,
    text: `${BINDING}spec:\n\tparams: []\n`,
  },
  {
    name: "unknown fields and wrong types",
    fast: true,
    text: `${BINDING}  nmae: x
spec:
  params: {a: b}
  extra: 1
---
${LISTENER}    - name: t
      bindings: "tb"
      template: [tt]
      interceptors:
        - ref: {name: github}
          params:
            - name: eventTypes
              value: push
`,
  },
  {
    name: "__proto__ as a key",
    fast: true,
    text: `${BINDING}  labels:
    __proto__: x
    constructor: y
spec: {}
`,
  },
  {
    name: "CRLF line ends and a byte order mark",
    fast: true,
    text: `\uFEFF${BINDING}spec:\n  params:\n    - name: a\n      value: 5\n`.replace(
      /\n/g,
      "\r\n",
    ),
  },
  {
    name: "a JSON document",
    fast: true,
    text: `{"apiVersion": "triggers.tekton.dev/v1beta1", "kind": "TriggerBinding", "metadata": {"name": "j"}, "spec": {"params": [{"name": "a", "value": 1}]}}\n`,
  },
  {
    name: "explicit keys",
    fast: true,
    text: `${BINDING}spec:
  ? params
  : - name: a
      value: b
`,
  },
  {
    name: "special numbers in a template's resources",
    fast: true,
    text: `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: x}
      data: {a: .nan, b: -.inf, c: -0, d: 1.50, e: [1, "2", null]}
`,
  },
  {
    name: "not a Tekton resource, and a List",
    fast: true,
    text: `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
---
apiVersion: v1
kind: List
items:
  - ${BINDING.replace(/\n/g, "\n    ").trimEnd()}
    spec: {params: 5}
`,
  },
  {
    name: "a document that is a list",
    fast: true,
    text: "- a\n- b\n",
  },
  {
    // Its inline triggers are decoded ahead, in turns (decode-event-listener.ts): their issues
    // must still come in their place, between the spec's and the trigger groups'.
    name: "a listener's issues before, among and after its inline triggers",
    fast: true,
    text: `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  annotations:
    hookline.dev/reply: loud
spec:
  surprise: 1
  triggers:
    - name: both
      triggerRef: t
      template: { ref: tt }
    - name: fine
      template: { ref: tt }
    - name: neither
    - name: cel
      interceptors:
        - ref: { name: cel }
          params:
            - name: filter
              value: "body.a =="
      template: { ref: tt }
    - 3
  triggerGroups:
    - name: g
      interceptors: []
      triggerSelector: {}
`,
    issues: [
      `config.yaml:6:25 metadata.annotations[hookline.dev/reply]: invalid value "loud": must be "tekton" or "honest"`,
      `config.yaml:8:3 spec.surprise: unknown field "surprise"`,
      `config.yaml:12:17 spec.triggers[0].template: expected exactly one, got both: spec.triggers[0].triggerRef, spec.triggers[0].template`,
      `config.yaml:15:7 spec.triggers[2]: expected exactly one, got neither: spec.triggers[2].template, spec.triggers[2].triggerRef`,
      `config.yaml:21:32 spec.triggers[3].interceptors[0].params[0].value: failed to parse expression "body.a ==": unexpected token: EOF`,
      `config.yaml:23:7 spec.triggers[4]: expected an object, got a number`,
      `config.yaml:27:24 spec.triggerGroups[0].triggerSelector: expected at least one of triggerSelector.namespaceSelector, triggerSelector.labelSelector`,
    ],
  },
];
