import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ROOT } from "../../support/fixtures.js";

/**
 * The manifests in deploy/: each overlay builds with `kubectl kustomize` (Debian's
 * kubernetes-client, kubectl 1.20 with kustomize v2, which .ci/run installs; KUBECTL may list
 * several binaries, comma-separated, to check old and new kustomize), and every object
 * validates against the Kubernetes API's schema as @kubernetes/client-node's generated models
 * carry it (field names and types, recursively), plus the required fields and the security
 * rules this deployment promises.
 */

type Obj = Record<string, unknown>;

const DEPLOY = join(ROOT, "deploy");
const OVERLAYS = ["sqlite", "postgres"] as const;
const KUBECTLS = (process.env["KUBECTL"] ?? "kubectl").split(",").filter((k) => k !== "");
const available = KUBECTLS.filter(
  (k) => spawnSync(k, ["version", "--client"], { stdio: "ignore" }).status === 0,
);

/** GroupVersionKind → the client-node model that holds its schema. */
const MODELS: Record<string, string> = {
  "v1/Namespace": "V1Namespace",
  "v1/ServiceAccount": "V1ServiceAccount",
  "v1/ConfigMap": "V1ConfigMap",
  "v1/Service": "V1Service",
  "v1/PersistentVolumeClaim": "V1PersistentVolumeClaim",
  "apps/v1/Deployment": "V1Deployment",
  "rbac.authorization.k8s.io/v1/ClusterRole": "V1ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "V1ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1/RoleBinding": "V1RoleBinding",
  "policy/v1/PodDisruptionBudget": "V1PodDisruptionBudget",
  "autoscaling/v2/HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler",
  "networking.k8s.io/v1/Ingress": "V1Ingress",
};

interface Attribute {
  baseName: string;
  type: string;
}

function modelAttributes(name: string): readonly Attribute[] | undefined {
  const model = (k8s as unknown as Record<string, unknown>)[name] as
    { getAttributeTypeMap?: () => Attribute[] } | undefined;
  return model?.getAttributeTypeMap?.();
}

/** Every field of `value` is known to `type` and has its type; returns the problems found. */
function validateAgainst(value: unknown, type: string, path: string): string[] {
  if (value === null) return []; // `field: null` deletes a field in a patch; kubectl drops it.
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    return value.flatMap((v, i) => validateAgainst(v, array[1] ?? "any", `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (typeof value !== "object" || Array.isArray(value)) return [`${path}: expected a map`];
    return Object.entries(value as Obj).flatMap(([k, v]) =>
      validateAgainst(v, map[1] ?? "any", `${path}.${k}`),
    );
  }
  switch (type) {
    case "string":
    case "Date":
      return typeof value === "string" ? [] : [`${path}: expected a string`];
    case "number":
      return typeof value === "number" ? [] : [`${path}: expected a number`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: expected a boolean`];
    case "IntOrString":
      return typeof value === "string" || typeof value === "number"
        ? []
        : [`${path}: expected an int or a string`];
    case "any":
    case "object":
      return [];
  }
  const attributes = modelAttributes(type);
  if (attributes === undefined) return [`${path}: no schema for ${type}`];
  if (typeof value !== "object" || Array.isArray(value)) return [`${path}: expected ${type}`];
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value as Obj).flatMap(([k, v]) => {
    const t = known.get(k);
    return t === undefined
      ? [`${path}.${k}: unknown field of ${type}`]
      : validateAgainst(v, t, `${path}.${k}`);
  });
}

const gvk = (o: Obj): string => `${String(o["apiVersion"])}/${String(o["kind"])}`;
const nameOf = (o: Obj): string => String((o["metadata"] as Obj | undefined)?.["name"]);

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Obj)[key];
  }
  return cur;
}

/** The fields the API server requires, for the kinds used here. */
function missingRequired(o: Obj): string[] {
  const required: Record<string, string[]> = {
    "apps/v1/Deployment": ["spec.selector", "spec.template.spec.containers"],
    "v1/Service": ["spec.ports"],
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ["roleRef.kind", "roleRef.name"],
    "rbac.authorization.k8s.io/v1/RoleBinding": ["roleRef.kind", "roleRef.name"],
    "policy/v1/PodDisruptionBudget": ["spec.selector"],
    "autoscaling/v2/HorizontalPodAutoscaler": ["spec.scaleTargetRef.name", "spec.maxReplicas"],
    "v1/PersistentVolumeClaim": ["spec.accessModes", "spec.resources.requests.storage"],
    "networking.k8s.io/v1/Ingress": ["spec.rules"],
  };
  const paths = ["metadata.name", ...(required[gvk(o)] ?? [])];
  const out = paths.filter((p) => at(o, p) === undefined).map((p) => `${nameOf(o)}: ${p}`);
  for (const c of (at(o, "spec.template.spec.containers") as Obj[] | undefined) ?? []) {
    if (typeof c["name"] !== "string" || typeof c["image"] !== "string")
      out.push(`${nameOf(o)}: a container without name or image`);
  }
  for (const r of (at(o, "rules") as Obj[] | undefined) ?? []) {
    if (!Array.isArray(r["verbs"]) || r["verbs"].length === 0)
      out.push(`${nameOf(o)}: a rule without verbs`);
  }
  for (const p of (at(o, "spec.ports") as Obj[] | undefined) ?? []) {
    if (typeof p["port"] !== "number") out.push(`${nameOf(o)}: a port without a number`);
  }
  return out;
}

function parseObjects(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Obj => o !== null && typeof o === "object");
}

function build(kubectl: string, overlay: string): Obj[] {
  const text = execFileSync(kubectl, ["kustomize", join(DEPLOY, "overlays", overlay)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return parseObjects(text);
}

function find(objects: Obj[], kind: string, name?: string): Obj {
  const o = objects.find((x) => x["kind"] === kind && (name === undefined || nameOf(x) === name));
  if (o === undefined) throw new Error(`no ${kind} ${name ?? ""} in the build`);
  return o;
}

describe.skipIf(available.length === 0)(
  `deploy/ overlays${available.length > 0 ? "" : " (skipped: no kubectl on PATH; apt-get install kubernetes-client)"}`,
  () => {
    const cases = available.flatMap((kubectl) =>
      OVERLAYS.map((overlay) => ({ name: `${overlay} with ${kubectl}`, kubectl, overlay })),
    );

    it.each(cases)("$name builds, and every object validates", ({ kubectl, overlay }) => {
      const objects = build(kubectl, overlay);
      const kinds = objects.map((o) => o["kind"]);
      for (const kind of [
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "RoleBinding",
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
      ]) {
        expect(kinds).toContain(kind);
      }
      const problems = objects.flatMap((o) => {
        const model = MODELS[gvk(o)];
        if (model === undefined) return [`${gvk(o)} ${nameOf(o)}: not a kind this deployment uses`];
        return [
          ...validateAgainst(o, model, `${o["kind"] as string}/${nameOf(o)}`),
          ...missingRequired(o),
        ];
      });
      expect(problems).toEqual([]);
      for (const o of objects) {
        if (o["kind"] === "Namespace" || String(o["kind"]).startsWith("Cluster")) continue;
        expect(at(o, "metadata.namespace"), `${o["kind"] as string}/${nameOf(o)}`).toBe("hookline");
      }
    });

    it.each(cases)(
      "$name: a locked-down pod with probes and the env hookline reads",
      ({ kubectl, overlay }) => {
        const objects = build(kubectl, overlay);
        const deployment = find(objects, "Deployment", "hookline");
        const pod = at(deployment, "spec.template.spec") as Obj;
        expect(pod["serviceAccountName"]).toBe("hookline");
        expect(at(pod, "securityContext.runAsNonRoot")).toBe(true);
        expect(at(pod, "securityContext.runAsUser")).not.toBe(0);
        const containers = pod["containers"] as Obj[];
        expect(containers).toHaveLength(1);
        const c = containers[0] as Obj;
        expect(c["securityContext"]).toMatchObject({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(at(c, "livenessProbe.httpGet")).toMatchObject({ path: "/live", port: "listener" });
        expect(at(c, "readinessProbe.httpGet")).toMatchObject({ path: "/ready", port: "listener" });
        for (const k of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) {
          expect(at(c, `resources.${k}`), k).toBeTypeOf("string");
        }
        expect(c["image"]).toMatch(/^ghcr\.io\/hookline\/hookline:/);
        expect((c["args"] as string[]).slice(0, 3)).toEqual([
          "serve",
          "--config",
          "/etc/hookline/config",
        ]);

        const env = new Map((c["env"] as Obj[]).map((e) => [String(e["name"]), e]));
        expect(env.get("HOOKLINE_ADMIN_ADDR")?.["value"]).toBe("0.0.0.0:9090");
        expect(at(env.get("HOOKLINE_ADMIN_TOKEN"), "valueFrom.secretKeyRef")).toEqual({
          name: "hookline-admin",
          key: "token",
        });
        expect(env.get("HOOKLINE_SINK")?.["value"]).toBe("kubernetes");
        expect(env.get("HOOKLINE_SECRETS_DIR")?.["value"]).toBe("/etc/hookline/secrets");
        for (const name of env.keys())
          expect(name).toMatch(/^(PORT|HOOKLINE_[A-Z_]+|TLS_CERT|TLS_KEY)$/);

        // Writable places are volumes: the root filesystem is read-only.
        const mounts = new Map(
          (c["volumeMounts"] as Obj[]).map((m) => [m["mountPath"], m["name"]]),
        );
        expect(mounts.get("/var/lib/hookline")).toBe("data");
        expect(mounts.get("/tmp")).toBe("tmp");
        expect(mounts.get("/etc/hookline/config")).toBe("config");
        const volumes = new Map((pod["volumes"] as Obj[]).map((v) => [v["name"], v]));
        expect(at(volumes.get("config"), "configMap.name")).toBe("hookline-config");
        find(objects, "ConfigMap", "hookline-config");

        const store = env.get("HOOKLINE_STORE");
        if (overlay === "sqlite") {
          expect(at(deployment, "spec.replicas")).toBe(1);
          expect(at(deployment, "spec.strategy.type")).toBe("Recreate");
          expect(store?.["value"]).toBe("/var/lib/hookline/hookline.db");
          expect(volumes.get("data")).toEqual({
            name: "data",
            persistentVolumeClaim: { claimName: "hookline-journal" },
          });
          find(objects, "PersistentVolumeClaim", "hookline-journal");
          expect(objects.some((o) => o["kind"] === "HorizontalPodAutoscaler")).toBe(false);
        } else {
          expect(at(deployment, "spec.replicas")).toBe(3);
          expect(store?.["value"]).toBeUndefined();
          expect(at(store, "valueFrom.secretKeyRef")).toEqual({
            name: "hookline-journal",
            key: "url",
          });
          const hpa = find(objects, "HorizontalPodAutoscaler", "hookline");
          expect(at(hpa, "spec.minReplicas")).toBe(3);
          expect(at(hpa, "spec.scaleTargetRef")).toMatchObject({
            kind: "Deployment",
            name: "hookline",
          });
        }
      },
    );

    it.each(cases)(
      "$name: Services, scraping and the disruption budget",
      ({ kubectl, overlay }) => {
        const objects = build(kubectl, overlay);
        const deployment = find(objects, "Deployment", "hookline");
        const podLabels = at(deployment, "spec.template.metadata.labels") as Obj;
        const listener = find(objects, "Service", "hookline");
        const admin = find(objects, "Service", "hookline-admin");
        for (const svc of [listener, admin]) {
          expect(at(svc, "spec.type")).toBe("ClusterIP");
          expect(podLabels).toMatchObject(at(svc, "spec.selector") as Obj);
        }
        expect(at(listener, "spec.ports")).toEqual([
          expect.objectContaining({ port: 8080, targetPort: "listener" }),
        ]);
        expect(at(admin, "spec.ports")).toEqual([
          expect.objectContaining({ port: 9090, targetPort: "admin" }),
        ]);
        const scrape = {
          "prometheus.io/scrape": "true",
          "prometheus.io/port": "9090",
          "prometheus.io/path": "/metrics",
        };
        expect(at(admin, "metadata.annotations")).toMatchObject(scrape);
        expect(at(deployment, "spec.template.metadata.annotations")).toMatchObject(scrape);
        const pdb = find(objects, "PodDisruptionBudget", "hookline");
        expect(podLabels).toMatchObject(at(pdb, "spec.selector.matchLabels") as Obj);
        expect(at(pdb, "spec.maxUnavailable")).toBe(1);
      },
    );

    it.each(cases)("$name: least-privilege RBAC", ({ kubectl, overlay }) => {
      const objects = build(kubectl, overlay);
      const rules = (name: string): Obj[] =>
        at(find(objects, "ClusterRole", name), "rules") as Obj[];
      const reader = rules("hookline-triggers-reader");
      expect(reader).toHaveLength(1);
      expect(reader[0]).toMatchObject({
        apiGroups: ["triggers.tekton.dev"],
        verbs: ["get", "list", "watch"],
      });
      expect(reader[0]?.["resources"]).toEqual(
        expect.arrayContaining([
          "eventlisteners",
          "triggers",
          "triggerbindings",
          "clustertriggerbindings",
          "triggertemplates",
          "interceptors",
          "clusterinterceptors",
        ]),
      );
      const ns = rules("hookline-trigger-namespace");
      expect(ns).toContainEqual(
        expect.objectContaining({ resources: ["secrets"], verbs: ["get", "list", "watch"] }),
      );
      expect(ns).toContainEqual(
        expect.objectContaining({
          apiGroups: ["tekton.dev"],
          resources: ["pipelineruns", "taskruns"],
          // watch, patch, delete: concurrency groups (cancel, start, max-keep-runs; issue 12).
          verbs: ["create", "get", "list", "watch", "patch", "delete"],
        }),
      );
      const impersonate = ns.find((r) => (r["verbs"] as string[]).includes("impersonate"));
      expect(impersonate?.["resources"]).toEqual(["serviceaccounts"]);
      expect(
        impersonate?.["resourceNames"],
        "impersonation is limited to named accounts",
      ).not.toHaveLength(0);
      // Kubernetes Events are aggregated: a repeated one is patched (its count), never deleted.
      expect(ns).toContainEqual({
        apiGroups: [""],
        resources: ["events"],
        verbs: ["create", "patch"],
      });
      // Nothing may write Secrets or RBAC (or change anything but an Event or a Tekton run), or
      // use wildcards.
      for (const r of [...reader, ...ns]) {
        for (const field of ["apiGroups", "resources", "verbs"])
          expect(r[field]).not.toContain("*");
        const events = JSON.stringify(r["resources"]) === '["events"]';
        const runs =
          JSON.stringify(r["apiGroups"]) === '["tekton.dev"]' &&
          JSON.stringify(r["resources"]) === '["pipelineruns","taskruns"]';
        for (const verb of ["update", "patch", "delete", "deletecollection", "escalate", "bind"])
          if (!((events || runs) && verb === "patch") && !(runs && verb === "delete"))
            expect(r["verbs"]).not.toContain(verb);
      }
      for (const binding of objects.filter((o) => String(o["kind"]).endsWith("RoleBinding"))) {
        expect(binding["subjects"]).toEqual([
          { kind: "ServiceAccount", name: "hookline", namespace: "hookline" },
        ]);
      }
    });
  },
);

describe("deploy/examples", () => {
  it("the Ingress validates and routes to the listener Service only, never the admin one", () => {
    const objects = parseObjects(readFileSync(join(DEPLOY, "examples", "ingress.yaml"), "utf8"));
    expect(objects).toHaveLength(1);
    const ingress = objects[0] as Obj;
    expect(validateAgainst(ingress, MODELS[gvk(ingress)] ?? "none", "Ingress")).toEqual([]);
    expect(missingRequired(ingress)).toEqual([]);
    const backends = JSON.stringify(at(ingress, "spec.rules"));
    expect(backends).toContain('"name":"hookline"');
    expect(backends).not.toContain("hookline-admin");
    expect(backends).toContain("http-listener");
  });
});

describe("the schema check itself", () => {
  it.each([
    {
      name: "an unknown field",
      patch: { spec: { replicaz: 1 } },
      error: /replicaz: unknown field/,
    },
    {
      name: "a wrong type",
      patch: { spec: { replicas: "3" } },
      error: /replicas: expected a number/,
    },
    {
      name: "a misspelt container field",
      patch: {
        spec: {
          template: { spec: { containers: [{ name: "a", image: "b", imagePullPolicyy: "x" }] } },
        },
      },
      error: /imagePullPolicyy: unknown field of V1Container/,
    },
  ])("finds $name", ({ patch, error }) => {
    const problems = validateAgainst(
      { apiVersion: "apps/v1", kind: "Deployment", ...patch },
      "V1Deployment",
      "d",
    );
    expect(problems.join("\n")).toMatch(error);
  });
});
