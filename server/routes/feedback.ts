import { Router } from "express";
import { poolDb } from "../../db/executor.ts";
import { FeedbackError, recordFeedback } from "../../traces/feedback.ts";
import { requireCaller } from "../auth.ts";
import { HttpError, parse } from "../errors.ts";
import { loadThread, type ServerContext } from "../context.ts";
import { ThreadIdParams } from "../schemas.ts";

/**
 * `POST /threads/:thread_id/feedback` — thumbs up/down, a corrected intent, a free-text label or a
 * better reply on a turn (the run named by `run_id`, else the thread's latest turn). Anyone who may
 * read the thread may rate it; the author is the caller's principal. Body (zod, strict):
 * `{run_id?, rating?: "up"|"down", corrected_intent?, label?, corrected_reply?}` — at least one field.
 * A corrected intent also becomes a router training label.
 */
export function feedbackRoutes(ctx: ServerContext): Router {
  const r = Router();
  r.post("/threads/:thread_id/feedback", async (req, res) => {
    const caller = requireCaller(req);
    const { thread_id } = parse(ThreadIdParams, req.params, "path");
    await loadThread(ctx, req, thread_id, "read");
    try {
      const recorded = await recordFeedback(poolDb(ctx.store.pool), thread_id, req.body ?? {}, caller.principal);
      res.status(201).json(recorded);
    } catch (err) {
      if (err instanceof FeedbackError) throw new HttpError(err.status, err.status === 404 ? "not_found" : "invalid_request", err.message);
      throw err;
    }
  });
  return r;
}
