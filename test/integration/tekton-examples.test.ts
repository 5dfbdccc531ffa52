/**
 * Tekton's own examples (`../shared/tekton-examples/v1beta1`, copied unchanged from tektoncd/triggers)
 * as a compatibility suite, the way Tekton's e2e uses them (TEKTON-SPEC §6, test/e2e-tests-examples.sh):
 *
 * 1. every example folder loads with no document error (reference errors are allowed where an
 *    example leans on objects from another folder, and only there);
 * 2. every `curl.sh` is parsed and sent, as curl would send it, to an app built on that folder's
 *    config; the resources the example's TriggerTemplate describes must be written, labelled
 *    `triggers.tekton.dev/triggers-eventid` with the answer's `eventID`, with the bound values.
 *
 * The expectations below are Tekton's behaviour, written out by hand from the examples' YAML and
 * payloads — not read back from hookline — so a wrong value in hookline fails here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatIssue, loadConfigDir } from "../../src/config/load-config.js";
import { createBuiltinRegistry } from "../../src/interceptors/builtins.js";
import { createFakeGithubApi, type FakeGithubApi } from "../support/fake-github-api.js";
import { SHARED_EXAMPLES, signGithub } from "../support/fixtures.js";
import { exampleFileReader, parseCurlScript, type CurlRequest } from "../support/tekton-curl.js";
import { createTestApp, type TestApp } from "../support/test-app.js";
import { exampleDir, stubTarget } from "../support/tekton-example-dir.js";

const V1BETA1 = join(SHARED_EXAMPLES, "v1beta1");
const PRESENT = existsSync(V1BETA1);
/** The webhook secret of every signed example (their secret.yaml files; TEKTON-SPEC §4.1, §4.3). */
const EXAMPLE_SECRET = "1234567";

const EVENT_ID_LABEL = "triggers.tekton.dev/triggers-eventid";
const LISTENER_LABEL = "triggers.tekton.dev/eventlistener";
const TRIGGER_LABEL = "triggers.tekton.dev/trigger";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CONFIG_EXTENSIONS = [".yaml", ".yml", ".json"];

/** Every folder (relative to v1beta1/) that directly holds config files: `github`, `azurerepo/pull`, … */
function exampleFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir).sort();
    if (
      entries.some(
        (e) => CONFIG_EXTENSIONS.some((x) => e.endsWith(x)) && statSync(join(dir, e)).isFile(),
      )
    )
      out.push(relative(root, dir));
    for (const e of entries) if (statSync(join(dir, e)).isDirectory()) walk(join(dir, e));
  };
  walk(root);
  return out;
}

const FOLDERS = PRESENT ? exampleFolders(V1BETA1) : [];
const CURL_FOLDERS = FOLDERS.filter((f) => existsSync(join(V1BETA1, f, "curl.sh")));

/**
 * Folders whose objects name objects defined in other folders, so a reference error is the correct
 * diagnosis when the folder is loaded on its own (Tekton's e2e applies these next to the folders
 * they lean on). Every other folder must resolve completely.
 */
const EXPECTED_REFERENCE_ERRORS: readonly string[] = [
  // pipeline-binding, message-binding (triggerbindings/) and pipeline-template (triggertemplates/).
  "cloudevent",
  // The same, plus pipeline-clusterbinding and message-clusterbinding (clustertriggerbindings/).
  "eventlisteners",
  // Not cron: its triggertemplate.yaml is (upstream) a symlink to ../triggertemplates/triggertemplate.yaml.
];

/**
 * Document errors Tekton reports too: its admission webhook would reject these objects, so
 * hookline must as well. Every other document error is a hookline bug.
 */
const EXPECTED_DOCUMENT_ERRORS: Readonly<Record<string, readonly RegExp[]>> = {
  // The TriggerTemplate's script uses $(tt.params.azurerepo-user-type), which its spec.params does
  // not declare: "undeclared param" (TEKTON-SPEC §1.4). Upstream's example is broken (and is not
  // one of those Tekton's e2e applies).
  "azurerepo/pull": [
    /^azurerepo-pullrequest-listener\.yaml:\d+:\d+ .*undeclared param '\$\(tt\.params\.azurerepo-user-type\)'/,
  ],
};

// ------------------------------------------------------------------------------------------------
// What each curl.sh must produce, as Tekton would produce it.

interface ExpectedResource {
  apiVersion: string;
  kind: string;
  namespace: string;
  generateName: string;
  /** The trigger that made it (label `triggers.tekton.dev/trigger`). */
  trigger: string;
  /** Checks bound values: proves the bindings and the template substitution worked. */
  check: (resource: Record<string, unknown>) => void;
}

type CurlCase =
  | { folder: string; args?: string[]; listener: string; resources: ExpectedResource[] }
  /**
   * Needs a feature hookline does not have yet: the answer is still 202 (the listener is valid and
   * the trigger was selected), nothing is created, and the trigger's outcome names the reason.
   */
  | {
      folder: string;
      args?: string[];
      listener: string;
      unsupported: { trigger: string; reason: RegExp; until: string };
    };

const PR_SHA = "28911bbb5a3e2ea034daf1f6be0a822d50e31e73";
/** What the fake GitHub API answers for tektoncd/triggers#1503 (github-add-changed-files-pr). */
const PR_1503_FILES = ["pkg/interceptors/github/github.go", "docs/interceptors.md"];
/** The github-* examples that call the GitHub API do so against this fake (see beforeAll below). */
let fakeGithub: FakeGithubApi | undefined;
const fakeGithubCalls = (): string[] => fakeGithub?.requests.map((r) => r.url) ?? [];
const TRIGGERS_REPO = "https://github.com/tektoncd/triggers.git";

const taskRunScript = (r: Record<string, unknown>): unknown =>
  (r as { spec?: { taskSpec?: { steps?: { script?: unknown }[] } } }).spec?.taskSpec?.steps?.[0]
    ?.script;
const revisionScript = (revision: string, url: string): string =>
  `#! /bin/bash\necho "Revision is : ${revision}. RepoURL is ${url}"\n`;

/** The simple-pipeline PipelineRun of embedded-trigger, label-selector and namespace-selector. */
function pipelineRunParams(params: {
  message: string;
  contenttype: string;
  gitRevision: string;
  gitUrl: string;
}): (r: Record<string, unknown>) => void {
  return (r) => {
    expect(r).toMatchObject({
      spec: {
        pipelineRef: { name: "simple-pipeline" },
        params: [
          { name: "message", value: params.message },
          { name: "contenttype", value: params.contenttype },
          { name: "git-revision", value: params.gitRevision },
          { name: "git-url", value: params.gitUrl },
        ],
        workspaces: [{ name: "git-source", emptyDir: {} }],
      },
    });
  };
}

function gitlabPayload(): { checkout_sha: string; repository: { git_http_url: string } } {
  return JSON.parse(readFileSync(join(V1BETA1, "gitlab", "gitlab-push-event.json"), "utf8")) as {
    checkout_sha: string;
    repository: { git_http_url: string };
  };
}

const CURL_CASES: readonly CurlCase[] = [
  {
    // bitbucket interceptor: X-Hub-Signature sha1 and eventTypes repo:refs_changed; the curl sends
    // no Content-Type (so a form type, but a JSON body with < 2 form keys is not converted);
    // a JSONPath filter in the binding.
    folder: "bitbucket-server",
    listener: "bitbucket-server-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "bitbucket-run-",
        trigger: "bitbucket-server-triggers",
        check: (r) =>
          expect(taskRunScript(r)).toBe(
            revisionScript("main", "ssh://git@localhost:7999/~test/helloworld.git"),
          ),
      },
    ],
  },
  {
    // cel filter `body.action in ['opened']`; a ConfigMap, not a Tekton kind.
    folder: "create-configmap",
    listener: "create-configmap-listener",
    resources: [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "default",
        generateName: "sample-",
        trigger: "create-configmap-listener",
        check: (r) => expect(r["data"]).toEqual({ field: "Action is : opened" }),
      },
    ],
  },
  {
    // The same github + cel chain as github/, on a listener with a Knative customResource (which only
    // changes how Tekton deploys the listener). curl.sh takes the port and the Host header as $1, $2.
    folder: "custom-resource",
    args: ["8080", "custom-resource-listener.default.example.com"],
    listener: "custom-resource-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "github-run-",
        trigger: "custom-resource-listener",
        check: (r) => expect(taskRunScript(r)).toBe(revisionScript(PR_SHA, TRIGGERS_REPO)),
      },
    ],
  },
  {
    // No interceptors; two TriggerBindings; `$(body.head_commit.id)` is missing from the payload, so
    // the template default `main` is used (TEKTON-SPEC §5.4); a static binding; `$(header.Content-Type)`.
    folder: "embedded-trigger",
    listener: "embedded-trigger-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "PipelineRun",
        namespace: "default",
        generateName: "simple-pipeline-run-",
        trigger: "foo-trig",
        check: pipelineRunParams({
          message: "Hello from the Triggers EventListener!",
          contenttype: "application/json",
          gitRevision: "main",
          gitUrl: TRIGGERS_REPO,
        }),
      },
    ],
  },
  {
    // github interceptor (X-Hub-Signature-256, eventTypes pull_request) chained with a cel filter.
    folder: "github",
    listener: "github-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "github-run-",
        trigger: "github-listener",
        check: (r) => expect(taskRunScript(r)).toBe(revisionScript(PR_SHA, TRIGGERS_REPO)),
      },
    ],
  },
  {
    // github addChangedFiles on a pull_request: the files come from the GitHub API's
    // PullRequests.ListFiles (here the fake GitHub API below, through HOOKLINE_GITHUB_API_URL),
    // joined with "," into extensions.changed_files, which the binding reads.
    folder: "github-add-changed-files-pr",
    listener: "github-add-changed-files-pr-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "github-add-changed-files-pr-run-",
        trigger: "github-add-changed-files-pr-listener",
        check: (r) => {
          expect(taskRunScript(r)).toBe(
            `#! /bin/bash\necho "Changed Files: ${PR_1503_FILES.join(",")}"\n`,
          );
          expect(fakeGithubCalls()).toContain(
            "/repos/tektoncd/triggers/pulls/1503/files?per_page=100",
          );
        },
      },
    ],
  },
  {
    // github addChangedFiles on a push: no API call, the payload's commits[*].added, modified and
    // removed are joined; then the cel filter matches 'controllers/'.
    folder: "github-add-changed-files-push-cel",
    listener: "github-add-changed-files-push-cel-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "github-add-changed-files-push-cel-run-",
        trigger: "github-add-changed-files-push-cel-listener",
        check: (r) =>
          expect(taskRunScript(r)).toBe(
            '#! /bin/bash\necho "Changed Files: /n' +
              "api/v1beta1/tektonhelperconfig_types.go," +
              "config/crd/bases/tekton-helper..com_tektonhelperconfigs.yaml," +
              "controllers/tektonhelperconfig_controller.go," +
              "config/samples/tektonhelperconfig-oomkillpipeline.yaml," +
              'config/samples/tektonhelperconfig-timeout.yaml"\n',
          ),
      },
    ],
  },
  {
    // github githubOwners with CheckType none (Go's case-insensitive field match) and no token:
    // the repo's OWNERS file is read through the GitHub API (the fake below lists khrm, the
    // sender, as an approver), after the X-Hub-Signature-256 check.
    folder: "github-owners",
    listener: "github-owners-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "github-owners-run-",
        trigger: "github-owners-listener",
        check: (r) => {
          expect(taskRunScript(r)).toBe(`#! /bin/bash\necho "RepoURL is ${TRIGGERS_REPO}"\n`);
          expect(fakeGithubCalls()).toContain("/repos/tektoncd/triggers/contents/OWNERS");
        },
      },
    ],
  },
  {
    // gitlab ClusterInterceptor: X-GitLab-Token and eventTypes "Push Hook"; inline bindings; an
    // embedded template spec; the body from --data-binary @examples/v1beta1/gitlab/gitlab-push-event.json.
    folder: "gitlab",
    listener: "gitlab-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "gitlab-run-",
        trigger: "gitlab-push-events-trigger",
        check: (r) => {
          const p = gitlabPayload();
          expect(taskRunScript(r)).toBe(revisionScript(p.checkout_sha, p.repository.git_http_url));
        },
      },
    ],
  },
  {
    // labelSelector foo=bar: Trigger CRs in the listener's namespace with that label; the one labelled
    // foo=baz must not run. No binding for `message`: the template default is used.
    folder: "label-selector",
    listener: "label-selector-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "PipelineRun",
        namespace: "default",
        generateName: "simple-pipeline-run-",
        trigger: "matching-label-trigger",
        check: pipelineRunParams({
          message: "This is the default message",
          contenttype: "application/json",
          gitRevision: PR_SHA,
          gitUrl: TRIGGERS_REPO,
        }),
      },
    ],
  },
  {
    // namespaceSelector [default, foo]: the Trigger, its binding and template are in namespace foo,
    // so the PipelineRun is created in foo (the trigger's namespace).
    folder: "namespace-selector",
    listener: "namespace-selector-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "PipelineRun",
        namespace: "foo",
        generateName: "simple-pipeline-run-",
        trigger: "trigger",
        check: pipelineRunParams({
          message: "This is the default message",
          contenttype: "application/json",
          gitRevision: PR_SHA,
          gitUrl: TRIGGERS_REPO,
        }),
      },
    ],
  },
  {
    // payload-validation "false"; a form body turned into map[string][]string; slack interceptor
    // (requestedFields text) then cel overlays branch/image read by `$(extensions.branch)` and
    // `$(extensions.image)`. Those bindings have no default, so the TaskRun exists only if they
    // resolved; the template uses neither, and declares `response` with no default and no binding,
    // which Tekton leaves literally as `$(tt.params.response)` (TEKTON-SPEC §5.4).
    folder: "slack",
    listener: "slack-listener",
    resources: [
      {
        apiVersion: "tekton.dev/v1beta1",
        kind: "TaskRun",
        namespace: "default",
        generateName: "slack-run-",
        trigger: "slack-trigger",
        check: (r) =>
          expect(taskRunScript(r)).toBe(
            '#! /bin/bash\necho "response of slack : $(tt.params.response)"\n',
          ),
      },
    ],
  },
];

// ------------------------------------------------------------------------------------------------

function readCurl(c: CurlCase): CurlRequest {
  const dir = join(V1BETA1, c.folder);
  return parseCurlScript(readFileSync(join(dir, "curl.sh"), "utf8"), {
    args: c.args ?? [],
    readFile: exampleFileReader(dir, SHARED_EXAMPLES),
  });
}

async function send(app: TestApp, req: CurlRequest): Promise<request.Response> {
  const agent = request(app.server);
  let test: request.Test;
  switch (req.method) {
    case "POST":
      test = agent.post(req.path);
      break;
    case "PUT":
      test = agent.put(req.path);
      break;
    case "GET":
      test = agent.get(req.path);
      break;
    default:
      throw new Error(`method ${req.method} not handled by this test`);
  }
  for (const [name, value] of req.headers) test = test.set(name, value);
  if (req.body === undefined) return test;
  // The exact bytes, as curl sends them: without a serializer superagent turns a Buffer into the
  // JSON of `{"type":"Buffer","data":[...]}` when the Content-Type is JSON.
  return test.serialize((b: Buffer) => b as unknown as string).send(req.body);
}

async function withApp<T>(folder: string, run: (app: TestApp) => Promise<T>): Promise<T> {
  // The GitHub API examples (addChangedFiles on a pull_request, githubOwners) talk to the fake,
  // never to github.com: what HOOKLINE_GITHUB_API_URL would tell hookline.
  const app = await createTestApp(
    exampleDir(join(V1BETA1, folder)),
    fakeGithub === undefined ? {} : { builtins: { github: { apiUrl: fakeGithub.url } } },
  );
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

function header(req: CurlRequest, name: string): string | undefined {
  return req.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

describe.skipIf(!PRESENT)(
  `Tekton's v1beta1 examples${PRESENT ? "" : " (skipped: ../shared/tekton-examples is missing; the run's first line says how to get it)"}`,
  () => {
    describe("loading each example folder", () => {
      it("finds the example folders, nested ones included", () => {
        expect(FOLDERS).toEqual(
          expect.arrayContaining([
            "awscodecommit/push",
            "azurerepo/pull",
            "azurerepo/push",
            "github",
            "gitlab",
            "eventlisteners",
          ]),
        );
      });

      it.each(FOLDERS)(
        "%s has no document errors (except those Tekton reports too)",
        async (folder) => {
          const config = await loadConfigDir(exampleDir(join(V1BETA1, folder)), {
            registry: createBuiltinRegistry(),
            relativeTo: exampleDir(join(V1BETA1, folder)),
          });
          const documentIssues = config.issues.filter((i) => i.class === "document");
          const expected = EXPECTED_DOCUMENT_ERRORS[folder] ?? [];
          const unexpected = documentIssues
            .map((i) => ({
              text: formatIssue(i),
              stub: stubTarget(join(V1BETA1, folder, i.loc.file)),
            }))
            .filter(({ text }) => !expected.some((re) => re.test(text)))
            .map(({ text, stub }) =>
              stub === undefined
                ? text
                : `${text}  [the file is an upstream git symlink stored as text: -> ${stub}]`,
            );
          expect(unexpected, `document issues in ${folder}:\n${unexpected.join("\n")}`).toEqual([]);
          for (const re of expected) {
            expect(
              documentIssues.map(formatIssue).some((t) => re.test(t)),
              `expected a document error matching ${String(re)} in ${folder}`,
            ).toBe(true);
          }
        },
      );

      it("has reference errors only in the folders that lean on other folders", async () => {
        const withReferenceErrors: string[] = [];
        const details: string[] = [];
        for (const folder of FOLDERS) {
          const config = await loadConfigDir(exampleDir(join(V1BETA1, folder)), {
            registry: createBuiltinRegistry(),
            relativeTo: exampleDir(join(V1BETA1, folder)),
          });
          const refs = config.issues.filter((i) => i.class === "reference");
          if (refs.length > 0) {
            withReferenceErrors.push(folder);
            details.push(...refs.map(formatIssue));
          }
        }
        expect(withReferenceErrors, `reference issues:\n${details.join("\n")}`).toEqual(
          [...EXPECTED_REFERENCE_ERRORS].sort(),
        );
      });
    });

    describe("each curl.sh, sent to its folder's listener", () => {
      // withApp points the github interceptor at this fake (see there).
      beforeAll(async () => {
        fakeGithub = await createFakeGithubApi({
          pullFiles: { "tektoncd/triggers#1503": PR_1503_FILES },
          contents: {
            "tektoncd/triggers:OWNERS": "approvers:\n  - khrm\nreviewers:\n  - someone\n",
          },
        });
      });
      afterAll(async () => {
        await fakeGithub?.close();
        fakeGithub = undefined;
      });

      it("has an expectation for every curl.sh", () => {
        expect(CURL_CASES.map((c) => c.folder).sort()).toEqual([...CURL_FOLDERS].sort());
      });

      it.each(CURL_CASES.map((c) => [c.folder, c] as const))(
        "%s: the curl request is what the script says (signatures are over the exact body)",
        async (_folder, c) => {
          const req = readCurl(c);
          expect(req.method).toBe("POST");
          expect(req.path).toBe("/");
          expect(req.body?.length ?? 0).toBeGreaterThan(0);
          // Every signed example is signed with 1234567 over the exact bytes sent: this proves the
          // body was taken from the script byte for byte.
          const sig256 = header(req, "X-Hub-Signature-256");
          if (sig256 !== undefined)
            expect(sig256).toBe(await signGithub(req.body ?? Buffer.alloc(0), EXAMPLE_SECRET));
          const sig = header(req, "X-Hub-Signature");
          if (sig !== undefined) {
            const [algo, hex] = sig.split("=", 2);
            const { createHmac } = await import("node:crypto");
            expect(hex).toBe(
              createHmac(algo ?? "", EXAMPLE_SECRET)
                .update(req.body ?? Buffer.alloc(0))
                .digest("hex"),
            );
          }
        },
      );

      it.each(CURL_CASES.map((c) => [c.folder, c] as const))(
        "%s: creates what its TriggerTemplate describes, labelled with the eventID",
        async (_folder, c) => {
          const req = readCurl(c);
          await withApp(c.folder, async (app) => {
            const res = await send(app, req);
            expect(res.status, `answer: ${res.text}`).toBe(202);
            const answer = res.body as {
              eventListener?: unknown;
              namespace?: unknown;
              eventID?: unknown;
            };
            expect(answer.eventListener).toBe(c.listener);
            expect(answer.namespace).toBe("default");
            expect(answer.eventID).toMatch(UUID);
            const eventID = answer.eventID as string;
            const written = await app.written();

            if ("unsupported" in c) {
              expect(written.map((w) => w.path)).toEqual([]);
              const outcome = app.logs.entries.find(
                (e) =>
                  e["trigger"] === c.unsupported.trigger &&
                  (e["outcome"] === "filtered" || e["outcome"] === "failed"),
              );
              expect(
                outcome,
                `no filtered/failed outcome logged for ${c.unsupported.trigger}:\n${app.logs.text()}`,
              ).toBeDefined();
              expect(outcome?.["reason"]).toEqual(expect.stringMatching(c.unsupported.reason));
              return;
            }

            const outcomes = app.logs.entries
              .filter((e) => e["outcome"] !== undefined)
              .map(
                (e) =>
                  `${JSON.stringify(e["trigger"])}: ${JSON.stringify(e["outcome"])} ${JSON.stringify(e["reason"] ?? e["stage"] ?? "")}`,
              );
            expect(
              written.map((w) => `${String(w.resource["kind"])}`).sort(),
              `written: ${written.map((w) => w.path).join(", ") || "nothing"}; trigger outcomes:\n${outcomes.join("\n")}`,
            ).toEqual(c.resources.map((r) => r.kind).sort());

            for (const want of c.resources) {
              const got = written.find(
                (w) =>
                  w.resource["kind"] === want.kind &&
                  String(
                    (w.resource["metadata"] as { name?: unknown } | undefined)?.name,
                  ).startsWith(want.generateName),
              );
              expect(got, `${want.kind} ${want.generateName}… not written`).toBeDefined();
              if (got === undefined) continue;
              const r = got.resource;
              const metadata = r["metadata"] as {
                name: string;
                namespace?: string;
                labels?: Record<string, string>;
              };
              expect(r["apiVersion"]).toBe(want.apiVersion);
              expect(metadata.namespace).toBe(want.namespace);
              expect(got.path).toContain(join(app.outDir, want.namespace, want.kind));
              expect(metadata.labels?.[EVENT_ID_LABEL]).toBe(eventID);
              expect(metadata.labels?.[LISTENER_LABEL]).toBe(c.listener);
              expect(metadata.labels?.[TRIGGER_LABEL]).toBe(want.trigger);
              want.check(r);
            }
          });
        },
      );
    });
  },
);
