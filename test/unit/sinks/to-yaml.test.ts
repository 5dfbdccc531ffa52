import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { toYAML } from "../../../src/sinks/local/to-yaml.js";

/**
 * The local sink's YAML emitter. What it writes must read back as the same JSON value, in YAML
 * 1.2 (the `yaml` library, kubectl's newer readers) and YAML 1.1 (go-yaml v2, under
 * sigs.k8s.io/yaml), where more plain words mean something else (`yes`, `on`, `0o17`, `1:20`).
 */
const readers = [
  { name: "YAML 1.2", read: (text: string): unknown => parse(text) },
  { name: "YAML 1.1", read: (text: string): unknown => parse(text, { version: "1.1" }) },
];

describe.each(readers)("toYAML read back as $name", ({ read }) => {
  it("round-trips any JSON value (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        // As JSON: -0 is written 0, as JSON.stringify (and so the Kubernetes sink) writes it.
        expect(read(toYAML(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips strings that look like something else (property)", () => {
    const tricky = fc.oneof(
      fc.constantFrom(
        "",
        " ",
        "yes",
        "No",
        "on",
        "OFF",
        "~",
        "null",
        ".inf",
        "-.Inf",
        ".NaN",
        "<<",
        "0o17",
        "0x1F",
        "1_000",
        "1:20",
        "1e3",
        "+1",
        ".5",
        "2024-05-01",
        "2024-05-01T12:00:00Z",
        "- item",
        "? key",
        "key: value",
        "a #comment",
        "#x",
        "&anchor",
        "*alias",
        "!tag",
        "|",
        ">",
        "%YAML",
        "@at",
        "`tick",
        "---",
        "...",
        "a\nb",
        "tab\there",
        "trailing ",
        " leading",
        "é",
        "\u0000",
        "\u0085",
        "\u2028",
        "\ufeffbom",
        "\ud83d",
        ".",
        "._",
        "1_0.5",
        "1_",
        "0b1_0",
        "017",
        "1.2.3",
        "e0",
        "1_e2",
      ),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.stringMatching(/^[ -~]{0,10}$/),
    );
    fc.assert(
      fc.property(fc.dictionary(tricky, tricky), fc.array(tricky), (map, list) => {
        const value = { map, list, nested: [{ [list[0] ?? "k"]: map }] };
        expect(read(toYAML(value))).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * YAML's printable characters (c-printable) less those some reader takes for a line break (NEL,
 * U+2028, U+2029 in YAML 1.1) and the BOM: a file of only these reads the same in go-yaml, which
 * refuses control characters, as in the `yaml` library.
 */
const SAFE_TEXT =
  /^[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

describe("toYAML", () => {
  it("writes only characters every YAML reader takes as they are (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        expect(toYAML(value)).toMatch(SAFE_TEXT);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    { name: "NUL", text: "a\u0000b" },
    { name: "NEL", text: "a\u0085b" },
    { name: "LINE SEPARATOR", text: "a\u2028b" },
    { name: "ESC", text: "a\u001bb" },
    { name: "BOM", text: "a\ufeffb" },
    { name: "DEL", text: "a\u007fb" },
    { name: "a lone surrogate", text: "a\ud800b" },
  ])("quotes and escapes a string with $name", ({ text }) => {
    const yaml = toYAML({ text });
    expect(yaml).toMatch(SAFE_TEXT);
    expect(yaml.startsWith('text: "')).toBe(true);
    for (const { read } of readers) expect(read(yaml)).toEqual({ text });
  });

  it("keeps emoji and accents plain where it can", () => {
    expect(toYAML({ a: "café 🚀" })).toBe("a: café 🚀\n");
  });

  it("writes a resource in block style, keys in order, plain where it can", () => {
    const text = toYAML({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: { generateName: "build-", labels: { "hookline.dev/delivery-key": "e.0.0" } },
      spec: {
        params: [
          { name: "rev", value: "yes" },
          { name: "count", value: 3 },
        ],
        empty: [],
        o: {},
      },
    });
    expect(text).toBe(
      [
        "apiVersion: tekton.dev/v1",
        "kind: PipelineRun",
        "metadata:",
        "  generateName: build-",
        "  labels:",
        "    hookline.dev/delivery-key: e.0.0",
        "spec:",
        "  params:",
        "    - name: rev",
        '      value: "yes"',
        "    - name: count",
        "      value: 3",
        "  empty: []",
        "  o: {}",
        "",
      ].join("\n"),
    );
  });
});
