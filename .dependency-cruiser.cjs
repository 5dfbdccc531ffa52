// The import rules of docs/architecture.md ("Import rules"), checked by `npm run lint`.
// Stage order (a stage may import the stages after it, never those before it at run time):
//   config → intake → listener → interceptors | bindings | templates → store → delivery → sinks
// Shared vocabulary (types) that still lives in a stage folder may be imported backwards as a
// type-only import; run-time code never flows backwards.
const STAGES = [
  ["config", "src/config/"],
  ["intake", "src/intake/"],
  ["listener", "src/listener/"],
  ["interceptors", "src/interceptors/"],
  ["bindings", "src/bindings/"],
  ["templates", "src/templates/"],
  ["store", "src/store/"],
  ["delivery", "src/delivery/"],
  ["sinks", "src/(sinks|cloudevents)/"],
];
const LEVEL = {
  config: 0,
  intake: 1,
  listener: 2,
  interceptors: 3,
  bindings: 3,
  templates: 3,
  store: 4,
  delivery: 5,
  sinks: 6,
};
const escape = (p) => p.replace(/\//g, "\\/");

const backwards = STAGES.map(([name, path]) => ({
  name: `stage-order-${name}`,
  severity: "error",
  comment: `${name} runs after these stages and may import them only for types`,
  from: { path: `^${escape(path)}` },
  to: {
    path: `^(${
      STAGES.filter(([other]) => LEVEL[other] < LEVEL[name])
        .map(([, p]) => escape(p))
        .join("|") || "$^"
    })`,
    dependencyTypesNot: ["type-only"],
  },
}));

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "no import cycles (types included)",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "interceptors-only-public-sdk",
      severity: "error",
      comment: "interceptors/* (built-in and plug-ins alike) see hookline only through the SDK",
      from: { path: "^interceptors/([^/]+)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^src/", pathNot: "^src/interceptors/public\\.ts$" },
    },
    {
      name: "nothing-imports-app",
      severity: "error",
      comment:
        "src/app.ts is the listener port's HTTP adapter: only the composition root builds it",
      from: { path: "^(src|interceptors)/", pathNot: "^src/(main|runtime/.*)\\.ts$" },
      to: { path: "^src/app\\.ts$" },
    },
    {
      name: "intake-never-reaches-sinks",
      severity: "error",
      comment:
        "reading a request can never create anything: intake reaches no sink, not even indirectly",
      from: { path: "^src/intake/" },
      to: { path: "^src/(sinks|cloudevents|delivery)/", reachable: true },
    },
    {
      name: "stages-not-adapters",
      severity: "error",
      comment:
        "pipeline stages do not import the adapters and the composition root (cli, admin, main, runtime, settings beyond defaults)",
      from: {
        path: "^src/(config|intake|listener|interceptors|bindings|templates|store|delivery|sinks|cloudevents)/",
      },
      to: {
        path: "^src/(cli/|admin/(?!metrics)|main\\.ts|runtime/)",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "kernel-imports-no-stage",
      severity: "error",
      comment:
        "src/core and src/errors are the shared kernel: every stage imports them, they import no stage",
      from: { path: "^src/(core|errors)/" },
      to: { path: "^src/", pathNot: "^src/(core|errors)/" },
    },
    ...backwards,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".js"],
    },
  },
};
