import type { Db } from "../db/executor.ts";
import { INTENTS } from "../models/router/intents.ts";

/**
 * Offers confirmed routes to the router as training labels: turns that completed cleanly, whose
 * route nobody corrected or rated down, and that are old enough for feedback to have arrived
 * (`settledMs`, default one hour). Each turn is offered once. Returns how many labels were added.
 */
export async function promoteConfirmedRoutes(
  db: Db,
  opts: { settledMs?: number; minConfidence?: number; now?: Date } = {},
): Promise<number> {
  const settledBefore = new Date((opts.now ?? new Date()).getTime() - (opts.settledMs ?? 3_600_000));
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ n: number }>(
      `WITH eligible AS (
         SELECT t.trace_id, t.thread_id, t.intent,
                (SELECT m->>'content' FROM json_array_elements(t.trace->'messages') m WHERE m->>'role' = 'user' LIMIT 1) AS text
           FROM turn_traces t
          WHERE NOT t.route_promoted AND t.passed AND t.intent IS NOT NULL
            AND t.ended_at < $1 AND COALESCE(t.confidence, 1) >= $2 AND t.intent = ANY($3)
            AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.trace_id = t.trace_id
                             AND (f.rating = 'down' OR f.corrected_intent IS NOT NULL))
          FOR UPDATE OF t SKIP LOCKED
       ), marked AS (
         UPDATE turn_traces SET route_promoted = true WHERE trace_id IN (SELECT trace_id FROM eligible)
       ), added AS (
         INSERT INTO route_labels (text, intent, source, thread_id)
         SELECT text, intent, 'confirmed', thread_id FROM eligible WHERE length(trim(COALESCE(text, ''))) > 0
         RETURNING 1
       )
       SELECT COUNT(*)::int AS n FROM added`,
      [settledBefore, opts.minConfidence ?? 0, INTENTS.options],
    );
    return rows[0]!.n;
  });
}
