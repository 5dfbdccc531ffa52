import { rm } from "node:fs/promises";
import { afterAll, describe, expect, it } from "vitest";
import type { RemoteStep, WebhookStep } from "../../../src/config/compiled.js";
import { formatIssue, loadConfigDir } from "../../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../../src/interceptors/builtins.js";
import { parseTimeout } from "../../../src/interceptors/remote/parse-timeout.js";
import { resolveInterceptorTarget } from "../../../src/interceptors/remote/resolve-interceptor-target.js";
import { DEFAULT_DEADLINE_MS } from "../../../src/settings/defaults.js";
import { writeConfigDir } from "../../support/test-app.js";

// A syntactically valid PEM block: resolution checks the shape, TLS checks the certificate.
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const B64 = Buffer.from(PEM).toString("base64");

describe("resolveInterceptorTarget (Tekton's ResolveAddress)", () => {
  it.each([
    { name: "url wins", config: { url: "http://x.example/p" }, url: "http://x.example/p" },
    {
      name: "service without caBundle: http, port 80",
      config: { service: { name: "svc", namespace: "ns", path: "/cel" } },
      url: "http://svc.ns.svc/cel",
    },
    {
      name: "service with caBundle: https, port 8443",
      config: { service: { name: "svc", namespace: "ns", path: "github" }, caBundle: B64 },
      url: "https://svc.ns.svc:8443/github",
    },
    {
      name: "service with its own port",
      config: { service: { name: "svc", namespace: "ns", port: 9000 }, caBundle: PEM },
      url: "https://svc.ns.svc:9000/",
    },
  ])("$name", ({ config, url }) => {
    const target = resolveInterceptorTarget(config, 10_000);
    expect(target).toMatchObject({ url, timeoutMs: 10_000 });
  });

  it("trusts the caBundle for an https URL", () => {
    const target = resolveInterceptorTarget({ url: "https://x/", caBundle: B64 }, 1);
    expect("tls" in target && target.tls?.ca).toContain("-----BEGIN CERTIFICATE-----");
  });

  it.each([
    { name: "neither url nor service", config: {}, field: "spec.clientConfig" },
    {
      name: "a caBundle that is not PEM",
      config: { url: "https://x/", caBundle: "bm9wZQ==" },
      field: "spec.clientConfig.caBundle",
    },
    { name: "a relative url", config: { url: "/path" }, field: "spec.clientConfig.url" },
    { name: "a non-http url", config: { url: "ftp://x/" }, field: "spec.clientConfig.url" },
    {
      name: "a service without namespace",
      config: { service: { name: "s", namespace: "" } },
      field: "spec.clientConfig.service",
    },
  ])("refuses $name", ({ config, field }) => {
    expect(resolveInterceptorTarget(config, 1)).toMatchObject({ field });
  });
});

describe("parseTimeout", () => {
  it.each([
    ["10s", 10_000],
    ["500ms", 500],
    ["1.5s", 1_500],
    ["1m", 60_000],
    ["0s", undefined],
    ["ten", undefined],
    ["10", undefined],
  ])("%s → %s", (text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });
});

describe("remote and webhook interceptors in a config", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  async function load(
    files: Record<string, string>,
  ): Promise<Awaited<ReturnType<typeof loadConfigDir>>> {
    const dir = await writeConfigDir(files);
    dirs.push(dir);
    return loadConfigDir(dir, { registry: createBuiltinRegistry(), relativeTo: dir });
  }

  const listener = (
    interceptors: string,
    annotations = "",
  ): string => `apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
  namespace: ci
${annotations}spec:
  triggers:
    - name: t
      interceptors:
${interceptors}
      template:
        spec:
          resourcetemplates:
            - {apiVersion: v1, kind: ConfigMap, metadata: {generateName: x-}}
`;

  const steps = (config: Awaited<ReturnType<typeof load>>): unknown[] => {
    const plan = config.listeners[0]?.triggers[0]?.plan;
    return plan?.kind === "plan" ? [...plan.interceptors] : [];
  };

  it("compiles a ClusterInterceptor ref into a remote step: URL, CA, params, 7 s (under the 8 s deadline)", async () => {
    const config = await load({
      "ci.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata:
  name: owners
spec:
  clientConfig:
    caBundle: ${B64}
    service: {name: owners, namespace: tools, path: /check}
`,
      "el.yaml": listener(`        - ref: {name: owners}
          params:
            - {name: team, value: {name: core, min: 2}}`),
    });
    expect(config.issues.filter((i) => i.severity !== "note")).toEqual([]);
    const [step] = steps(config) as RemoteStep[];
    expect(step).toMatchObject({
      kind: "remote",
      name: "owners",
      resource: "ClusterInterceptor owners",
      target: { url: "https://owners.tools.svc:8443/check", timeoutMs: 7_000 },
      params: { team: { name: "core", min: 2 } },
    });
    // The default wait ends before the decision deadline: a slow service fails its trigger with
    // its own reason ("no answer within 7000 ms"), not a bare time-out.
    expect(step?.target.timeoutMs).toBeLessThan(DEFAULT_DEADLINE_MS);
  });

  it("warns at load about a hookline.dev/timeout the decision deadline would always cut", async () => {
    const config = await load({
      "ci.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata:
  name: patient
  annotations: {hookline.dev/timeout: 10s}
spec:
  clientConfig: {url: "http://patient.tools.svc/"}
`,
      "el.yaml": listener(`        - ref: {name: patient}`),
    });
    expect(config.issues.filter((i) => i.severity === "warning").map(formatIssue)).toEqual([
      'ci.yaml:1:1 metadata.annotations["hookline.dev/timeout"]: timeout 10s is not under the 8 s decision deadline, which stops the call first (the trace then says the trigger timed out waiting for it): use e.g. 7s',
    ]);
    expect(steps(config)).toMatchObject([{ kind: "remote", target: { timeoutMs: 10_000 } }]);
  });

  it("takes hookline.dev/timeout from the Interceptor, and reports a bad one at load", async () => {
    const config = await load({
      "ic.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: Interceptor
metadata:
  name: fast
  namespace: ci
  annotations: {hookline.dev/timeout: 750ms}
spec:
  clientConfig: {url: "http://fast.ci.svc/"}
---
apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata:
  name: broken
  annotations: {hookline.dev/timeout: soon}
spec:
  clientConfig: {url: "http://broken/"}
`,
      "el.yaml": listener(`        - ref: {name: fast, kind: NamespacedInterceptor}
        - ref: {name: broken}`),
    });
    expect(config.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([
      'ic.yaml:10:1 metadata.annotations["hookline.dev/timeout"]: invalid timeout "soon": use e.g. 3s or 500ms',
    ]);
    expect(steps(config)).toMatchObject([
      { kind: "remote", target: { timeoutMs: 750 } },
      { kind: "unavailable", name: "broken" },
    ]);
  });

  it("reports a clientConfig with neither url nor service as a document error", async () => {
    const config = await load({
      "ci.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata: {name: nowhere}
spec:
  clientConfig: {}
`,
      "el.yaml": listener("        - ref: {name: nowhere}"),
    });
    expect(config.issues.filter((i) => i.severity === "error")).toEqual([
      expect.objectContaining({
        class: "document",
        message: expect.stringMatching(/needs url or service/) as unknown,
      }),
    ]);
  });

  it("notes a ClusterInterceptor named like a core interceptor: the built-in runs", async () => {
    const config = await load({
      "ci.yaml": `apiVersion: triggers.tekton.dev/v1alpha1
kind: ClusterInterceptor
metadata: {name: cel}
spec:
  clientConfig: {service: {name: tekton-triggers-core-interceptors, namespace: tekton-pipelines, path: cel, port: 8443}}
`,
      "el.yaml": listener(`        - ref: {name: cel}
          params:
            - {name: filter, value: "true"}`),
    });
    expect(config.issues.filter((i) => i.severity === "note").map((i) => i.message)).toEqual([
      expect.stringMatching(/ClusterInterceptor "cel" is not called/),
    ]);
    expect(steps(config)).toMatchObject([{ kind: "builtin", name: "cel" }]);
  });

  it("compiles webhook: url or a v1 Service objectRef (the trigger's namespace, port 80), headers and Tekton's 5 s", async () => {
    const config = await load({
      "el.yaml": listener(
        `        - webhook:
            url: http://hooks.example:8080/x
            header:
              - {name: X-One, value: a}
              - {name: X-Many, value: [b, c]}
        - name: by-ref
          webhook:
            objectRef: {kind: Service, apiVersion: v1, name: rewriter}`,
        "  annotations: {hookline.dev/webhook-timeout: 2s}\n",
      ),
    });
    expect(config.issues.filter((i) => i.severity !== "note")).toEqual([]);
    const [byUrl, byRef] = steps(config) as WebhookStep[];
    expect(byUrl).toMatchObject({
      kind: "webhook",
      name: "webhook",
      target: { url: "http://hooks.example:8080/x", timeoutMs: 2000 },
      header: [
        { name: "X-One", values: ["a"], replaceWith: "one" },
        { name: "X-Many", values: ["b", "c"], replaceWith: "list" },
      ],
    });
    expect(byRef).toMatchObject({
      name: "by-ref",
      target: { url: "http://rewriter.ci.svc/", timeoutMs: 2000 },
    });
  });

  it.each([
    { name: "no url nor objectRef", webhook: "header: []", message: /needs url or objectRef/ },
    {
      name: "an objectRef to a Deployment",
      webhook: "objectRef: {kind: Deployment, apiVersion: apps/v1, name: x}",
      message: /must name a Service/,
    },
    { name: "a relative url", webhook: "url: /x", message: /invalid URL "\/x"/ },
    {
      name: "a header with a number",
      webhook: "url: http://x/\n            header: [{name: X-N, value: 1}]",
      message: /value must be a string or a list of strings/,
    },
  ])("reports a webhook with $name at load", async ({ webhook, message }) => {
    const config = await load({
      "el.yaml": listener(`        - webhook:\n            ${webhook}`),
    });
    expect(config.issues.filter((i) => i.severity === "error")).toEqual([
      expect.objectContaining({
        class: "document",
        message: expect.stringMatching(message) as unknown,
      }),
    ]);
  });

  it("Tekton's webhook default is 5 s", async () => {
    const config = await load({ "el.yaml": listener("        - webhook: {url: http://x/}") });
    expect(steps(config)).toMatchObject([{ kind: "webhook", target: { timeoutMs: 5000 } }]);
  });
});
