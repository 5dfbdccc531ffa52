import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { LineCounter, parseAllDocuments, parseDocument } from "yaml";
import { DecodeContext, decodeMap } from "../../../src/config/decode.js";
import { EVENT_LISTENER_SPEC_FIELDS } from "../../../src/config/decode-event-listener.js";
import {
  decodeFields,
  fieldNames,
  fieldTableToJsonSchema,
  nonEmptyStringField,
  STRING,
  stringField,
  type DecodeEnv,
  type FieldTable,
} from "../../../src/config/decode-fields.js";
import { formatIssue } from "../../../src/config/issues.js";

interface Thing {
  name: string;
  colour: string;
  size: string;
}

const THING: FieldTable<Thing, DecodeEnv> = [
  { name: "name", decode: nonEmptyStringField, required: {}, doc: "Its name.", schema: STRING },
  {
    name: "colour",
    decode: stringField,
    required: { message: "a thing needs a colour", at: "field", keep: true },
    doc: "Its colour.",
    schema: STRING,
  },
  { name: "size", decode: stringField, doc: "Its size.", schema: STRING, versions: ["v2"] },
  { name: "status", ignored: true, doc: "Ignored." },
];

function decode(text: string, pick?: readonly (keyof Thing)[], version?: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const cx = new DecodeContext("t.yaml", doc, lines);
  const f = decodeMap(doc.contents, "thing", cx, fieldNames(THING, version));
  const value = f && decodeFields(THING, f, { cx }, doc.contents, pick);
  return { value, issues: cx.issues.map(formatIssue) };
}

describe("decodeFields", () => {
  it("decodes the fields in table order, leaving out those with no value", () => {
    expect(decode("name: a\ncolour: red\nstatus: {x: 1}\n")).toEqual({
      value: { name: "a", colour: "red" },
      issues: [],
    });
  });

  it("a missing required field fails the object, at the object, with `missing field: <name>`", () => {
    // It stops there: colour, which comes later in the table, is not read.
    expect(decode("colour: 5\nname: ''\n")).toEqual({
      value: undefined,
      issues: ["t.yaml:1:1 thing.name: missing field: name"],
    });
  });

  it("`keep` reports and goes on; `at: field` points at the field when it is written", () => {
    expect(decode("name: a\ncolour: ~\n")).toEqual({
      value: { name: "a" },
      issues: ["t.yaml:2:9 thing.colour: a thing needs a colour"],
    });
    expect(decode("name: a\n").issues).toEqual(["t.yaml:1:1 thing.colour: a thing needs a colour"]);
  });

  it("decodes only the picked fields", () => {
    expect(decode("name: a\ncolour: red\n", ["colour"]).value).toEqual({ colour: "red" });
  });

  it("fieldNames keeps the fields of the given version, and the ignored ones", () => {
    expect(fieldNames(THING)).toEqual(["name", "colour", "size", "status"]);
    expect(fieldNames(THING, "v1")).toEqual(["name", "colour", "status"]);
    expect(decode("name: a\ncolour: red\nsize: big\n", undefined, "v1").issues).toEqual([
      't.yaml:3:1 thing.size: unknown field "size"',
    ]);
  });
});

describe("fieldTableToJsonSchema", () => {
  it("gives an object schema with the docs, the required fields and no other fields", () => {
    expect(fieldTableToJsonSchema(THING)).toEqual({
      type: "object",
      properties: {
        name: { type: "string", description: "Its name." },
        colour: { type: "string", description: "Its colour." },
        size: { type: "string", description: "Its size." },
        status: { description: "Ignored." },
      },
      required: ["name", "colour"],
      additionalProperties: false,
    });
  });

  it("the EventListener spec schema accepts every EventListener of the examples", () => {
    const ajv = new Ajv2020({ strict: true });
    const validate = ajv.compile(fieldTableToJsonSchema(EVENT_LISTENER_SPEC_FIELDS));
    const specs = eventListenerSpecs(["examples/config", "../shared/tekton-examples/v1beta1"]);
    expect(specs.length).toBeGreaterThan(0);
    for (const { file, spec } of specs) {
      expect(validate(spec), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate({ triggers: [], bogus: 1 })).toBe(false);
    expect(validate({ triggers: [{ bindings: "not a list" }] })).toBe(false);
  });
});

function eventListenerSpecs(dirs: readonly string[]): { file: string; spec: unknown }[] {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
  const out: { file: string; spec: unknown }[] = [];
  for (const dir of dirs) {
    let found: string[];
    try {
      found = files(dir);
    } catch {
      continue; // ../shared/tekton-examples may be missing: the suite says so once
    }
    for (const file of found) {
      for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
        const value: unknown = doc.toJS();
        if (
          typeof value === "object" &&
          value !== null &&
          Reflect.get(value, "kind") === "EventListener" &&
          Reflect.get(value, "apiVersion") === "triggers.tekton.dev/v1beta1"
        )
          out.push({ file, spec: Reflect.get(value, "spec") });
      }
    }
  }
  return out;
}
