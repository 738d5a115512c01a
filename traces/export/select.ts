import type { Db } from "../../db/executor.ts";
import { loadAssets, TRACE_COLUMNS, traceFromRow, type TraceRow } from "../store.ts";
import type { StoredTurnTrace } from "../schema.ts";

/** Which turns an export takes. Earlier turns of a selected turn's thread are still read as context. */
export interface TraceFilters {
  since?: Date;
  until?: Date;
  intents?: string[];
  /** Only turns that completed cleanly and whose feedback is not net negative. */
  onlyPassed?: boolean;
  /** Only turns whose feedback score (thumbs up minus thumbs down) is at least this. */
  minFeedback?: number;
}

export interface SelectedTurn {
  trace: StoredTurnTrace;
  /** False for turns read only as context for a later selected turn of the same thread. */
  selected: boolean;
  feedbackScore: number;
  correctedReplies: string[];
  toolsHash: string | null;
  systemHash: string | null;
}

function whereClause(f: TraceFilters): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.since) conds.push(`t.started_at >= ${p(f.since)}`);
  if (f.until) conds.push(`t.started_at < ${p(f.until)}`);
  if (f.intents?.length) conds.push(`t.intent = ANY(${p(f.intents)})`);
  if (f.onlyPassed) conds.push(`t.passed AND COALESCE(fb.score, 0) >= 0`);
  if (f.minFeedback !== undefined) conds.push(`COALESCE(fb.score, 0) >= ${p(f.minFeedback)}`);
  return { sql: conds.length ? conds.join(" AND ") : "true", params };
}

const FEEDBACK = `SELECT trace_id,
         SUM(CASE rating WHEN 'up' THEN 1 WHEN 'down' THEN -1 ELSE 0 END)::int AS score,
         array_agg(corrected_reply ORDER BY id) FILTER (WHERE corrected_reply IS NOT NULL) AS corrected_replies
    FROM feedback WHERE trace_id IS NOT NULL GROUP BY trace_id`;

/**
 * The turns to export and their context, ordered by thread then turn: every turn of a thread up
 * to its last selected turn. Ordering by thread lets the exporter keep only one thread's history
 * in memory, so memory stays constant however many turns there are.
 */
function selectionQuery(f: TraceFilters): { sql: string; params: unknown[] } {
  const where = whereClause(f);
  return {
    params: where.params,
    sql: `WITH fb AS (${FEEDBACK}),
       sel AS (
         SELECT t.trace_id, t.thread_id, t.turn, (${where.sql}) AS selected
           FROM turn_traces t LEFT JOIN fb ON fb.trace_id = t.trace_id
       ),
       last AS (
         SELECT thread_id, MAX(turn) FILTER (WHERE selected) AS last_turn FROM sel GROUP BY thread_id HAVING bool_or(selected)
       )
       SELECT ${TRACE_COLUMNS}, sel.selected, COALESCE(fb.score, 0) AS feedback_score, fb.corrected_replies
         FROM turn_traces t
         JOIN sel ON sel.trace_id = t.trace_id
         JOIN last ON last.thread_id = t.thread_id AND t.turn <= last.last_turn
         LEFT JOIN fb ON fb.trace_id = t.trace_id
        ORDER BY t.thread_id, t.turn`,
  };
}

/** How many turns the filters select (for progress output). */
export async function countSelectedTurns(db: Db, f: TraceFilters): Promise<number> {
  const where = whereClause(f);
  const { rows } = await db.query<{ n: number }>(
    `WITH fb AS (${FEEDBACK}) SELECT COUNT(*)::int AS n FROM turn_traces t LEFT JOIN fb ON fb.trace_id = t.trace_id WHERE ${where.sql}`,
    where.params,
  );
  return rows[0]!.n;
}

/**
 * Streams the selection through a server-side cursor, `batchSize` rows at a time, inside one
 * read-only repeatable-read transaction (a consistent snapshot while traffic keeps writing).
 */
export async function* streamSelectedTurns(db: Db, f: TraceFilters, opts: { batchSize?: number } = {}): AsyncGenerator<SelectedTurn> {
  const { sql, params } = selectionQuery(f);
  const batch = opts.batchSize ?? 500;
  const assets = new Map<string, unknown>();
  // A generator cannot yield from inside db.transaction's callback, so the callback lends us its
  // client and waits until the consumer is done (or stops early).
  let release!: () => void;
  const consumerDone = new Promise<void>((r) => (release = r));
  let tx!: Db;
  let declared!: () => void;
  const ready = new Promise<void>((r) => (declared = r));
  const transaction = db.transaction(async (t) => {
    tx = t;
    // A cursor reads the snapshot taken when it is declared: new traffic does not leak in.
    await t.query(`DECLARE aisle_trace_export NO SCROLL CURSOR FOR ${sql}`, params);
    declared();
    await consumerDone;
    await t.query("CLOSE aisle_trace_export");
  });
  let failed = false;
  try {
    await Promise.race([ready, transaction]);
    for (;;) {
      const { rows } = await tx.query<TraceRow & { selected: boolean; feedback_score: number; corrected_replies: string[] | null }>(
        `FETCH ${batch} FROM aisle_trace_export`,
      );
      if (!rows.length) break;
      await loadAssets(tx, rows.flatMap((r) => [r.tools_hash, r.system_hash].filter((h): h is string => !!h)), assets);
      for (const r of rows) {
        yield {
          trace: traceFromRow(r, (h) => assets.get(h)),
          selected: r.selected,
          feedbackScore: r.feedback_score,
          correctedReplies: r.corrected_replies ?? [],
          toolsHash: r.tools_hash,
          systemHash: r.system_hash,
        };
      }
    }
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    release();
    await transaction.catch((err) => {
      if (!failed) throw err;
    });
  }
}
