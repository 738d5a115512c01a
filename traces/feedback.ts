import type { Db } from "../db/executor.ts";
import { INTENTS } from "../models/router/intents.ts";
import { maskPersonalData } from "./mask.ts";
import { FeedbackInput } from "./schema.ts";

/** Feedback that cannot be accepted as sent (the server answers 400/404 with this message). */
export class FeedbackError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
  }
}

export interface RecordedFeedback {
  id: number;
  thread_id: string;
  trace_id: string;
  turn: number;
  /** True when a corrected intent was also stored as a router training label. */
  route_label: boolean;
}

/**
 * Stores feedback on a turn: the run's turn when `run_id` is given, else the thread's latest.
 * A corrected intent also becomes a router training label (`route_labels`, source "feedback") with
 * the turn's user message as text, so `aisle train router --from-traces` learns from it.
 */
export async function recordFeedback(
  db: Db,
  threadId: string,
  body: unknown,
  author: string,
): Promise<RecordedFeedback> {
  const parsed = FeedbackInput.safeParse(body);
  if (!parsed.success) {
    throw new FeedbackError(400, parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  }
  const input = parsed.data;
  if (input.corrected_intent !== undefined && !INTENTS.safeParse(input.corrected_intent).success) {
    throw new FeedbackError(400, `corrected_intent "${input.corrected_intent}" is not one of: ${INTENTS.options.join(", ")}`);
  }
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ trace_id: string; turn: number; user_text: string | null }>(
      `SELECT trace_id, turn,
              (SELECT m->>'content' FROM json_array_elements(trace->'messages') m WHERE m->>'role' = 'user' LIMIT 1) AS user_text
         FROM turn_traces
        WHERE thread_id = $1 AND ($2::text IS NULL OR run_id = $2)
        ORDER BY turn DESC LIMIT 1`,
      [threadId, input.run_id ?? null],
    );
    const turn = rows[0];
    if (!turn) {
      throw new FeedbackError(404, input.run_id ? `no recorded turn for run ${input.run_id} in thread ${threadId}` : `thread ${threadId} has no recorded turns`);
    }
    const masked = maskPersonalData({ label: input.label, corrected_reply: input.corrected_reply });
    const inserted = await tx.query<{ id: number }>(
      `INSERT INTO feedback (thread_id, trace_id, run_id, rating, corrected_intent, label, corrected_reply, author)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [threadId, turn.trace_id, input.run_id ?? null, input.rating ?? null, input.corrected_intent ?? null, masked.label ?? null, masked.corrected_reply ?? null, author],
    );
    let routeLabel = false;
    if (input.corrected_intent && turn.user_text?.trim()) {
      await tx.query(`INSERT INTO route_labels (text, intent, source, thread_id) VALUES ($1, $2, 'feedback', $3)`, [
        turn.user_text,
        input.corrected_intent,
        threadId,
      ]);
      routeLabel = true;
    }
    return { id: inserted.rows[0]!.id, thread_id: threadId, trace_id: turn.trace_id, turn: turn.turn, route_label: routeLabel };
  });
}
