// @ts-check
/**
 * branch-filter: a hookline interceptor plug-in that lets push and pull/merge request events
 * through only for the branches you allow (and never for those you deny), and tells bindings
 * the branch as `$(extensions.branch)`.
 *
 * It is plain JavaScript with JSDoc types, so it runs as it is (no build step) and is still
 * type-checked against hookline's SDK (`npx tsc -p .` in this folder). It imports nothing at
 * run time: the types come from hookline, the answers are plain objects.
 */

/** @typedef {import("hookline/sdk").Interceptor<BranchFilterParams>} BranchFilterInterceptor */
/** @typedef {import("hookline/sdk").InterceptorRequest} InterceptorRequest */
/** @typedef {import("hookline/sdk").InterceptorResponse} InterceptorResponse */

/**
 * @typedef {object} BranchFilterParams
 * @property {Pattern[]} allow   the event goes on only if its branch matches one (empty: any)
 * @property {Pattern[]} deny    the event stops if its branch matches one
 */

/** @typedef {{ glob: string; regexp: RegExp }} Pattern */

/**
 * hookline reports an error with a `field` at that param's line and column in the YAML. (Plug-ins
 * that import hookline's SDK at run time can throw its ParamError instead.)
 */
class ParamError extends Error {
  /**
   * @param {string} field the param's path, e.g. `allow[1]`
   * @param {string} message what is wrong and how to fix it
   */
  constructor(field, message) {
    super(message);
    this.name = "ParamError";
    this.field = field;
  }
}

/**
 * A branch glob as a RegExp: `*` is any run of characters but `/`, `**` any run at all, `?` one
 * character but `/`; everything else stands for itself.
 * @param {string} glob
 * @returns {RegExp}
 */
function globToRegExp(glob) {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*" && glob[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") {
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
    }
  }
  return new RegExp(`^${out}$`);
}

/**
 * @param {unknown} value
 * @param {string} field
 * @returns {Pattern[]}
 */
function parsePatterns(value, field) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new ParamError(
      field,
      `${field} must be a list of branch globs, e.g. ["main", "release/*"]`,
    );
  return value.map((glob, i) => {
    if (typeof glob !== "string" || glob === "")
      throw new ParamError(`${field}[${i}]`, `${field}[${i}] must be a non-empty string`);
    return { glob, regexp: globToRegExp(glob) };
  });
}

/**
 * `body.a.b.c`, or undefined where a step is missing.
 * @param {unknown} value
 * @param {string[]} path
 * @returns {unknown}
 */
function dig(value, ...path) {
  let v = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = /** @type {Record<string, unknown>} */ (v)[key];
  }
  return v;
}

/**
 * The branch an event is about, read from the payload's shape: a push's `ref` (GitHub, GitLab,
 * Gitea), a GitHub pull request's base, a GitLab merge request's target. Undefined for anything
 * else (a tag push, an issue comment, a ping).
 * @param {unknown} body
 * @returns {string | undefined}
 */
function branchOf(body) {
  const base = dig(body, "pull_request", "base", "ref");
  if (typeof base === "string") return base;
  const target = dig(body, "object_attributes", "target_branch");
  if (typeof target === "string") return target;
  const ref = dig(body, "ref");
  if (typeof ref === "string" && ref.startsWith("refs/heads/"))
    return ref.slice("refs/heads/".length);
  return undefined;
}

/** @type {BranchFilterInterceptor} */
const branchFilter = {
  name: "branch-filter",

  parseParams(params) {
    for (const key of Object.keys(params)) {
      if (key !== "allow" && key !== "deny")
        throw new ParamError(key, `unknown param "${key}"; expected allow or deny`);
    }
    const allow = parsePatterns(params["allow"], "allow");
    const deny = parsePatterns(params["deny"], "deny");
    if (allow.length === 0 && deny.length === 0)
      throw new ParamError("", "give allow, deny or both: with neither, every branch would pass");
    return { allow, deny };
  },

  process(req, params) {
    /** @type {unknown} */
    let body;
    try {
      body = req.bodyJSON();
    } catch {
      return { continue: false, status: { code: "INVALID_ARGUMENT", message: "body is not JSON" } };
    }
    const branch = branchOf(body);
    // Not a branch event (a tag push, a ping): this filter has nothing to say about it.
    if (branch === undefined) return { continue: true };
    const denied = params.deny.find((p) => p.regexp.test(branch));
    if (denied !== undefined)
      return {
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: `branch "${branch}" matches deny pattern "${denied.glob}"`,
        },
      };
    if (params.allow.length > 0 && !params.allow.some((p) => p.regexp.test(branch)))
      return {
        continue: false,
        status: {
          code: "FAILED_PRECONDITION",
          message: `branch "${branch}" matches no allow pattern (${params.allow.map((p) => p.glob).join(", ")})`,
        },
      };
    return { continue: true, extensions: { branch } };
  },
};

export default branchFilter;
