import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import { formatIssue, loadConfigDir } from "../../../src/config/load-config.js";
import type { CompiledConfig } from "../../../src/config/compiled.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { writeConfigDir } from "../../support/test-app.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function load(text: string): Promise<CompiledConfig> {
  const dir = await writeConfigDir({ "tt.yaml": text });
  dirs.push(dir);
  return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
}

/** A TriggerTemplate whose second entry is an HTTPRequest with `spec` (indented as its body). */
function template(entry: string): string {
  return `apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: rev
    - name: host
  resourcetemplates:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: cm
    - apiVersion: hookline.dev/v1alpha1
      kind: HTTPRequest
${entry}`;
}

function at(text: string, needle: string): string {
  const idx = text.indexOf(needle);
  if (idx < 0) throw new Error(`test bug: ${needle} not in text`);
  const before = text.slice(0, idx);
  return `tt.yaml:${before.split("\n").length}:${idx - before.lastIndexOf("\n")}`;
}

async function errors(text: string): Promise<string[]> {
  const c = await load(text);
  return c.issues.filter((i) => i.severity === "error").map(formatIssue);
}

const SPEC = "spec.resourcetemplates[1].spec";

describe("a hookline.dev/v1alpha1 HTTPRequest entry at load", () => {
  it("loads a Jenkins call: params in the path and the form, a header from a Secret", async () => {
    const text = template(`      spec:
        url: https://jenkins.example.com/job/build-$(tt.params.rev)/buildWithParameters?delay=0sec
        method: POST
        headers:
          Authorization: { secretRef: { name: jenkins-api, key: authorization } }
          Accept: application/json
        form:
          REVISION: $(tt.params.rev)
        expectedStatuses: [201]
        timeout: 2500ms
`);
    expect(await errors(text)).toEqual([]);
    const body = template(`      spec:
        url: http://hooks.example.com:8080/
        body: { revision: $(tt.params.rev), tags: [a, b] }
`);
    expect(await errors(body)).toEqual([]);
  });

  it("reports unknown fields, with file:line:col", async () => {
    const text = template(`      spec:
        url: https://ci.example.com/
        metod: PUT
        headers:
          X-Token-Id: { secretRef: { name: s, key: k, namespace: other } }
`);
    expect(await errors(text)).toEqual([
      `${at(text, "metod")} ${SPEC}.metod: unknown field "metod"`,
      `${at(text, "namespace: other")} ${SPEC}.headers.X-Token-Id.secretRef.namespace: unknown field "namespace"`,
    ]);
  });

  it.each([
    {
      name: "not http(s)",
      url: "ftp://files.example.com/x",
      message: "the URL must be http or https, not ftp",
    },
    { name: "not a URL", url: "jenkins/job/x", message: '"jenkins/job/x" is not an http(s) URL' },
    {
      name: "a host from a param",
      url: "https://$(tt.params.host)/job/x",
      message:
        "the URL's scheme, host and port must be written out: params may be used in its path and query only",
    },
    {
      name: "a port from a param",
      url: "https://ci.example.com:$(tt.params.rev)/",
      message:
        "the URL's scheme, host and port must be written out: params may be used in its path and query only",
    },
    {
      name: "credentials in the URL",
      url: "https://bot:hunter22@ci.example.com/",
      message:
        "the URL must not hold credentials (user:password@): send them in a header from a secretRef",
    },
  ])("reports a URL that is $name", async ({ url, message }) => {
    const text = template(`      spec:\n        url: ${url}\n`);
    expect(await errors(text)).toEqual([`${at(text, url)} ${SPEC}.url: ${message}`]);
  });

  it("reports a bad method, status, timeout, and a GET with a body", async () => {
    const text = template(`      spec:
        url: https://ci.example.com/
        method: GET
        body: hello
        expectedStatuses: [201, 99, "ok"]
        timeout: 2m
`);
    expect(await errors(text)).toEqual([
      `${at(text, "hello")} ${SPEC}.body: a GET request has no body`,
      `${at(text, "99")} ${SPEC}.expectedStatuses[1]: an HTTP status is a whole number from 100 to 599`,
      `${at(text, '"ok"')} ${SPEC}.expectedStatuses[2]: an HTTP status is a whole number from 100 to 599`,
      `${at(text, "2m")} ${SPEC}.timeout: timeout must be a duration such as 10s or 500ms, at most 30s, got "2m"`,
    ]);
    const method = template(
      `      spec:\n        url: https://ci.example.com/\n        method: BREW\n`,
    );
    expect(await errors(method)).toEqual([
      `${at(method, "BREW")} ${SPEC}.method: method must be one of GET, POST, PUT, PATCH, DELETE (default POST), got "BREW"`,
    ]);
  });

  it("refuses a literal credential, a Secret chosen by a param, Idempotency-Key, body with form", async () => {
    const text = template(`      spec:
        url: https://ci.example.com/
        headers:
          Authorization: Basic Ym90OnRva2Vu
          X-Api-Key: { secretRef: { name: $(tt.params.rev), key: k } }
          Idempotency-Key: mine
        body: a
        form: { a: b }
`);
    expect(await errors(text)).toEqual([
      `${at(text, "Basic Ym90")} ${SPEC}.headers.Authorization: Authorization carries a credential: take its value from a Secret ({secretRef: {name, key}}), not from the config`,
      `${at(text, "$(tt.params.rev), key")} ${SPEC}.headers.X-Api-Key.secretRef.name: must be written out: params are not allowed here`,
      `${at(text, "Idempotency-Key")} ${SPEC}.headers.Idempotency-Key: Idempotency-Key is set by hookline (the delivery key, the same on every retry)`,
      `${at(text, "{ a: b }")} ${SPEC}.form: body and form cannot both be set: choose one`,
    ]);
  });

  it("reports a missing url", async () => {
    const text = template(`      spec:\n        method: POST\n`);
    expect(await errors(text)).toEqual([`${at(text, "method")} ${SPEC}.url: missing field: url`]);
  });
});
