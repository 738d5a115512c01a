import type pg from "pg";

/**
 * Checkpoint retention. LangGraph keeps every checkpoint of every thread forever; at 50,000 turns
 * a day with ~10 super-steps each that is half a million rows a day. `pruneCheckpoints` keeps the
 * newest `keep` checkpoints of every thread (and only the newest one of threads idle longer than
 * `idleDays`), deletes the writes of removed checkpoints, and sweeps blobs no remaining checkpoint
 * references.
 *
 * It never breaks a live thread: the newest checkpoint of every thread and its pending writes
 * (where an interrupted escalation waits) are always kept, and threads that checkpointed within
 * the grace period are left alone entirely — a turn in flight writes blobs before the checkpoint
 * row that references them, so sweeping its blobs could race with it.
 */
export interface PruneOptions {
  /** Checkpoints to keep per thread and namespace (≥ 1). */
  keep: number;
  /** Threads idle for more than this many days keep only their newest checkpoint. */
  idleDays?: number;
  /** Threads that checkpointed within this many seconds are skipped (default 300). */
  graceSeconds?: number;
  /** Report what would be deleted without deleting. */
  dryRun?: boolean;
}

export interface PruneResult {
  threads: number;
  checkpoints: number;
  writes: number;
  blobs: number;
}

export async function pruneCheckpoints(pool: pg.Pool, opts: PruneOptions): Promise<PruneResult> {
  if (!Number.isInteger(opts.keep) || opts.keep < 1) throw new Error("keep must be an integer ≥ 1 (the newest checkpoint of a thread is never deleted)");
  if (opts.idleDays !== undefined && !(opts.idleDays >= 0)) throw new Error("idle days must be ≥ 0");
  const grace = opts.graceSeconds ?? 300;
  // The checkpoint tables appear when a graph first runs (PostgresSaver.setup): none, nothing to prune.
  const { rows: exists } = await pool.query<{ t: string | null }>("SELECT to_regclass('checkpoints')::text AS t");
  if (!exists[0]?.t) return { threads: 0, checkpoints: 0, writes: 0, blobs: 0 };
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `CREATE TEMP TABLE aisle_prune ON COMMIT DROP AS
       WITH ranked AS (
         SELECT thread_id, checkpoint_ns, checkpoint_id,
                row_number() OVER (PARTITION BY thread_id, checkpoint_ns ORDER BY checkpoint_id DESC) AS rn,
                max((checkpoint->>'ts')::timestamptz) OVER (PARTITION BY thread_id) AS last_ts
           FROM checkpoints
       )
       SELECT thread_id, checkpoint_ns, checkpoint_id FROM ranked
        WHERE last_ts < now() - make_interval(secs => $1)
          AND rn > 1
          AND (rn > $2 OR ($3::double precision IS NOT NULL AND last_ts < now() - $3::double precision * interval '1 day'))`,
      [grace, opts.keep, opts.idleDays ?? null],
    );
    const { rows: counts } = await client.query<{ threads: number; checkpoints: number; writes: number }>(
      `SELECT count(DISTINCT thread_id)::int AS threads, count(*)::int AS checkpoints,
              (SELECT count(*)::int FROM checkpoint_writes w JOIN aisle_prune p USING (thread_id, checkpoint_ns, checkpoint_id)) AS writes
         FROM aisle_prune`,
    );
    const result: PruneResult = { ...counts[0], blobs: 0 };
    if (result.checkpoints === 0) {
      await client.query("ROLLBACK");
      return result;
    }
    if (!opts.dryRun) {
      await client.query(`DELETE FROM checkpoint_writes w USING aisle_prune p
                           WHERE w.thread_id = p.thread_id AND w.checkpoint_ns = p.checkpoint_ns AND w.checkpoint_id = p.checkpoint_id`);
      await client.query(`DELETE FROM checkpoints c USING aisle_prune p
                           WHERE c.thread_id = p.thread_id AND c.checkpoint_ns = p.checkpoint_ns AND c.checkpoint_id = p.checkpoint_id`);
    }
    // Blobs of the pruned threads that no kept checkpoint references any more.
    const blobSql = `FROM checkpoint_blobs b
       WHERE b.thread_id IN (SELECT DISTINCT thread_id FROM aisle_prune)
         AND NOT EXISTS (SELECT 1 FROM checkpoints c
                          WHERE c.thread_id = b.thread_id AND c.checkpoint_ns = b.checkpoint_ns
                            AND c.checkpoint->'channel_versions'->>b.channel = b.version
                            ${opts.dryRun ? "AND NOT EXISTS (SELECT 1 FROM aisle_prune p WHERE p.thread_id = c.thread_id AND p.checkpoint_ns = c.checkpoint_ns AND p.checkpoint_id = c.checkpoint_id)" : ""})`;
    if (opts.dryRun) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n ${blobSql}`);
      result.blobs = rows[0].n;
      await client.query("ROLLBACK");
    } else {
      const { rowCount } = await client.query(`DELETE ${blobSql}`);
      result.blobs = rowCount ?? 0;
      await client.query("COMMIT");
    }
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
