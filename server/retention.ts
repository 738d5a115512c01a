import type pg from "pg";

export interface EventPruneResult {
  runs: number;
  events: number;
}

/**
 * Run-event retention. Every streamed event of every run is kept so a client can re-attach to a
 * run's stream (`Last-Event-ID`) and another replica can serve it; at 50,000 turns a day that is
 * hundreds of thousands of rows a day that nobody reads once a run is long over. Deletes the events
 * of runs that ended more than `olderThanDays` days ago; the runs themselves (status, timings,
 * errors), the checkpoints, the audit log and the trace store are untouched. A run that has not
 * ended (pending, running) keeps its events whatever its age.
 */
export async function pruneRunEvents(pool: pg.Pool, opts: { olderThanDays: number; dryRun?: boolean }): Promise<EventPruneResult> {
  if (!(opts.olderThanDays >= 0)) throw new Error("olderThanDays must be a number ≥ 0");
  const ended = `SELECT run_id FROM runs
                  WHERE status IN ('success', 'error', 'timeout', 'interrupted')
                    AND ended_at < now() - $1::double precision * interval '1 day'`;
  if (opts.dryRun) {
    const { rows } = await pool.query<{ runs: number; events: number }>(
      `SELECT count(DISTINCT e.run_id)::int AS runs, count(*)::int AS events FROM run_events e WHERE e.run_id IN (${ended})`,
      [opts.olderThanDays],
    );
    return rows[0]!;
  }
  const { rows } = await pool.query<{ runs: number; events: number }>(
    `WITH gone AS (DELETE FROM run_events e WHERE e.run_id IN (${ended}) RETURNING e.run_id)
     SELECT count(DISTINCT run_id)::int AS runs, count(*)::int AS events FROM gone`,
    [opts.olderThanDays],
  );
  return rows[0]!;
}
