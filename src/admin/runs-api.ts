import express, { Router, type Response } from "express";
import type { FinishedRun, FinishReason } from "../sinks/local/local-group-runs.js";
import type { Logger } from "../core/logger.js";
import { describeError, HooklineError } from "../errors/hookline-error.js";
import { sendAdminError } from "./send-admin-error.js";

export interface RunsApiDeps {
  /**
   * Marks a run of the local sink finished (writes its status file; the group scheduler hears of
   * it). Absent with the Kubernetes sink: there Tekton finishes runs.
   */
  finishRun?:
    | ((
        target: { namespace: string; kind: string; name: string },
        reason: FinishReason,
      ) => FinishedRun)
    | undefined;
  log: Logger;
}

const REASONS: readonly FinishReason[] = ["Succeeded", "Failed"];

/** `/api/v1/runs/{namespace}/{kind}/{name}/finish`: a laptop's way to move a queue on. */
export function createRunsApi(deps: RunsApiDeps): Router {
  const router = Router();
  router.post(
    "/runs/:namespace/:kind/:name/finish",
    express.json({ limit: "4kb", strict: true }),
    (req, res) => {
      try {
        if (deps.finishRun === undefined)
          throw new HooklineError(
            "HL_ADMIN_BAD_REQUEST",
            "runs are finished by Tekton in the cluster; only the local sink (--sink local) finishes them here",
          );
        const body: unknown = req.body;
        const reason =
          typeof body === "object" && body !== null
            ? (body as Record<string, unknown>)["reason"]
            : undefined;
        const chosen = reason === undefined ? "Succeeded" : reason;
        if (typeof chosen !== "string" || !(REASONS as readonly string[]).includes(chosen))
          throw new HooklineError("HL_ADMIN_BAD_REQUEST", "reason must be Succeeded or Failed");
        const finished = deps.finishRun(
          { namespace: req.params.namespace, kind: req.params.kind, name: req.params.name },
          chosen as FinishReason,
        );
        res.status(finished.already ? 200 : 201).json({
          kind: finished.kind,
          namespace: finished.namespace,
          name: finished.name,
          reason: chosen,
          location: finished.location,
          alreadyFinished: finished.already,
        });
      } catch (err) {
        fail(res, err, deps.log);
      }
    },
  );
  return router;
}

function fail(res: Response, err: unknown, log: Logger): void {
  if (err instanceof HooklineError && err.status < 500)
    return sendAdminError(res, err.code, err.message);
  log.error("could not finish a run", { error: describeError(err) });
  sendAdminError(res, "HL_LISTENER_INTERNAL", "internal error");
}
