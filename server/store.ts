import type pg from "pg";
import { randomUUID } from "node:crypto";
import { conflict } from "./errors.ts";
import type { MultitaskStrategy } from "./schemas.ts";
import type { GraphCaller } from "./runtime.ts";

/** Data access for the server's tables (threads, runs, run_events); see db/migrations/0004_server.sql. */

export type ThreadStatus = "idle" | "busy" | "interrupted" | "error";
export type RunStatus = "pending" | "running" | "success" | "error" | "timeout" | "interrupted";

export interface ThreadRow {
  thread_id: string;
  owner: string;
  metadata: Record<string, unknown>;
  status: ThreadStatus;
  values: Record<string, unknown> | null;
  interrupts: Record<string, unknown[]>;
  error: unknown;
  created_at: Date;
  updated_at: Date;
  state_updated_at: Date;
}

export interface RunKwargs {
  input?: unknown;
  command?: { resume?: unknown; update?: unknown; goto?: unknown } | null;
  stream_mode: string[];
  config: { tags?: string[]; recursion_limit?: number; configurable?: Record<string, unknown> };
  checkpoint_id?: string | null;
  interrupt_before?: "*" | string[] | null;
  interrupt_after?: "*" | string[] | null;
  durability?: "sync" | "async" | "exit" | null;
  subgraphs?: boolean;
}

export interface RunRow {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  created_by: string;
  caller: GraphCaller;
  status: RunStatus;
  multitask_strategy: MultitaskStrategy;
  kwargs: RunKwargs;
  metadata: Record<string, unknown>;
  cancel_action: "interrupt" | "rollback" | null;
  cancel_reason: string | null;
  attempt: number;
  worker: string | null;
  checkpoint_before: string | null;
  error: { error: string; message: string } | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  updated_at: Date;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** A thread as the Agent Server API returns it. */
export function threadResource(t: ThreadRow) {
  return {
    thread_id: t.thread_id,
    created_at: iso(t.created_at),
    updated_at: iso(t.updated_at),
    state_updated_at: iso(t.state_updated_at),
    metadata: t.metadata,
    status: t.status,
    values: t.values ?? {},
    interrupts: t.interrupts ?? {},
    ...(t.error ? { error: t.error } : {}),
  };
}

/** A run as the Agent Server API returns it. */
export function runResource(r: RunRow) {
  return {
    run_id: r.run_id,
    thread_id: r.thread_id,
    assistant_id: r.assistant_id,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    status: r.status,
    metadata: r.metadata,
    multitask_strategy: r.multitask_strategy,
    kwargs: { stream_mode: r.kwargs.stream_mode },
    cancel_reason: r.cancel_reason,
    attempt: r.attempt,
    ...(r.error ? { error: r.error } : {}),
  };
}

// Two different advisory-lock namespaces per thread: one held for a whole run execution (session
// lock), one held briefly while a run is admitted (transaction lock), so admitting a run never
// waits for a running one.
export const EXEC_LOCK_SQL = "hashtextextended('aisle.exec:' || $1::text, 0)";
const ADMIT_LOCK_SQL = "hashtextextended('aisle.admit:' || $1::text, 0)";

export class ServerStore {
  constructor(readonly pool: pg.Pool) {}

  // ---- threads ----

  async createThread(args: { threadId?: string | null; owner: string; metadata: Record<string, unknown>; ifExists: "raise" | "do_nothing" }) {
    const id = args.threadId ?? randomUUID();
    const { rows } = await this.pool.query<ThreadRow>(
      `INSERT INTO threads (thread_id, owner, metadata) VALUES ($1, $2, $3)
       ON CONFLICT (thread_id) DO NOTHING RETURNING *`,
      [id, args.owner, args.metadata],
    );
    if (rows[0]) return { thread: rows[0], created: true };
    const existing = await this.getThread(id);
    // Someone else's thread id is reported as taken without revealing anything about it.
    if (args.ifExists === "raise" || !existing || existing.owner !== args.owner) throw conflict(`Thread ${id} already exists.`);
    return { thread: existing, created: false };
  }

  async getThread(threadId: string): Promise<ThreadRow | undefined> {
    const { rows } = await this.pool.query<ThreadRow>("SELECT * FROM threads WHERE thread_id = $1", [threadId]);
    return rows[0];
  }

  async patchThreadMetadata(threadId: string, metadata: Record<string, unknown>): Promise<ThreadRow | undefined> {
    const { rows } = await this.pool.query<ThreadRow>(
      `UPDATE threads SET metadata = metadata || $2::jsonb, updated_at = now() WHERE thread_id = $1 RETURNING *`,
      [threadId, metadata],
    );
    return rows[0];
  }

  /** Deletes the thread, its runs and events, and its checkpoints, in one transaction. */
  async deleteThread(threadId: string, deleteCheckpoints: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock(${ADMIT_LOCK_SQL})`, [threadId]);
      const { rows } = await client.query("SELECT 1 FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running') LIMIT 1", [threadId]);
      if (rows.length) throw conflict("Thread has a run in progress; cancel it before deleting the thread.", "thread_busy");
      await client.query("DELETE FROM threads WHERE thread_id = $1", [threadId]);
      await deleteCheckpoints(client);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async searchThreads(args: {
    owner?: string;
    ids?: string[] | null;
    metadata?: Record<string, unknown> | null;
    values?: Record<string, unknown> | null;
    status?: ThreadStatus | null;
    limit: number;
    offset: number;
    sortBy: string;
    sortOrder: "asc" | "desc";
  }): Promise<ThreadRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace("?", `$${params.length}`));
    };
    if (args.owner !== undefined) add("owner = ?", args.owner);
    if (args.ids) add("thread_id = ANY(?::uuid[])", args.ids);
    if (args.metadata) add("metadata @> ?::jsonb", args.metadata);
    if (args.values) add(`"values" @> ?::jsonb`, args.values);
    if (args.status) add("status = ?", args.status);
    const sortCol = ["thread_id", "status", "created_at", "updated_at", "state_updated_at"].includes(args.sortBy) ? args.sortBy : "created_at";
    params.push(args.limit, args.offset);
    const { rows } = await this.pool.query<ThreadRow>(
      `SELECT * FROM threads ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY ${sortCol} ${args.sortOrder === "asc" ? "ASC" : "DESC"}, thread_id
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows;
  }

  /** Records the thread's state after a run (or a direct state update). */
  async setThreadState(
    threadId: string,
    s: { status?: ThreadStatus; values?: unknown; interrupts?: unknown; error?: unknown },
    db: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<void> {
    // A thread with queued runs stays busy; otherwise it reflects the last run's outcome.
    await db.query(
      `UPDATE threads SET
         status = CASE WHEN $2::text = 'error' OR $2::text = 'interrupted' THEN $2::text
                       WHEN EXISTS (SELECT 1 FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running')) THEN 'busy'
                       ELSE COALESCE($2::text, 'idle') END,
         "values" = COALESCE($3::jsonb, "values"),
         interrupts = COALESCE($4::jsonb, interrupts),
         error = $5::jsonb,
         updated_at = now(), state_updated_at = now()
       WHERE thread_id = $1`,
      [threadId, s.status ?? null, s.values === undefined ? null : JSON.stringify(s.values), s.interrupts === undefined ? null : JSON.stringify(s.interrupts), s.error === undefined ? null : JSON.stringify(s.error)],
    );
  }

  // ---- runs ----

  /**
   * Admits a run on a thread under the thread's admission lock, applying the multitask strategy
   * against runs in flight on any replica: reject → 409; interrupt/rollback → flag the in-flight
   * runs for cancellation (pending ones are settled at once); enqueue → queue behind them.
   */
  async admitRun(args: {
    threadId: string;
    assistantId: string;
    createdBy: string;
    caller: GraphCaller;
    strategy: MultitaskStrategy;
    kwargs: RunKwargs;
    metadata: Record<string, unknown>;
    /** Extra check under the lock (e.g. "thread awaits a manager"); throws to refuse. */
    check?: (thread: ThreadRow, inflight: RunRow[]) => void;
  }): Promise<{ run: RunRow; cancelled: RunRow[] }> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock(${ADMIT_LOCK_SQL})`, [args.threadId]);
      const thread = (await client.query<ThreadRow>("SELECT * FROM threads WHERE thread_id = $1", [args.threadId])).rows[0];
      if (!thread) throw conflict("Thread was deleted.", "thread_gone");
      const inflight = (
        await client.query<RunRow>(
          "SELECT * FROM runs WHERE thread_id = $1 AND status IN ('pending', 'running') ORDER BY created_at",
          [args.threadId],
        )
      ).rows;
      args.check?.(thread, inflight);
      const cancelled: RunRow[] = [];
      if (inflight.length) {
        if (args.strategy === "reject") {
          throw conflict(
            "Thread is already running a task. Wait for it to finish or choose a different multitask_strategy.",
            "thread_busy",
          );
        }
        if (args.strategy === "interrupt" || args.strategy === "rollback") {
          for (const r of inflight) {
            if (r.status === "pending") {
              if (args.strategy === "rollback") await client.query("DELETE FROM runs WHERE run_id = $1", [r.run_id]);
              else
                await client.query(
                  `UPDATE runs SET status = 'interrupted', cancel_reason = 'superseded', ended_at = now(), updated_at = now() WHERE run_id = $1`,
                  [r.run_id],
                );
            } else {
              await client.query(
                `UPDATE runs SET cancel_action = $2, cancel_reason = 'superseded', updated_at = now() WHERE run_id = $1`,
                [r.run_id, args.strategy],
              );
            }
            cancelled.push(r);
          }
        }
      }
      const { rows } = await client.query<RunRow>(
        `INSERT INTO runs (run_id, thread_id, assistant_id, created_by, caller, status, multitask_strategy, kwargs, metadata)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8) RETURNING *`,
        [randomUUID(), args.threadId, args.assistantId, args.createdBy, args.caller, args.strategy, args.kwargs, args.metadata],
      );
      await client.query(`UPDATE threads SET status = 'busy', updated_at = now() WHERE thread_id = $1`, [args.threadId]);
      await client.query("COMMIT");
      return { run: rows[0]!, cancelled };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async getRun(runId: string): Promise<RunRow | undefined> {
    const { rows } = await this.pool.query<RunRow>("SELECT * FROM runs WHERE run_id = $1", [runId]);
    return rows[0];
  }

  async listRuns(threadId: string, opts: { limit: number; offset: number; status?: string }): Promise<RunRow[]> {
    const { rows } = await this.pool.query<RunRow>(
      `SELECT * FROM runs WHERE thread_id = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC LIMIT $3 OFFSET $4`,
      [threadId, opts.status ?? null, opts.limit, opts.offset],
    );
    return rows;
  }

  /** Flags a run for cancellation; a pending run is settled at once. Returns the updated row. */
  async requestCancel(runId: string, action: "interrupt" | "rollback", reason: string | null): Promise<RunRow | undefined> {
    const { rows } = await this.pool.query<RunRow>(
      `UPDATE runs SET
         status = CASE WHEN status = 'pending' THEN 'interrupted' ELSE status END,
         ended_at = CASE WHEN status = 'pending' THEN now() ELSE ended_at END,
         cancel_action = CASE WHEN status = 'running' THEN $2 ELSE cancel_action END,
         cancel_reason = COALESCE($3, 'cancelled'), updated_at = now()
       WHERE run_id = $1 RETURNING *`,
      [runId, action, reason],
    );
    const run = rows[0];
    if (run && run.status === "interrupted" && action === "rollback" && run.started_at === null) {
      await this.pool.query("DELETE FROM runs WHERE run_id = $1", [runId]);
    }
    if (run && run.status === "interrupted") await this.setThreadState(run.thread_id, {});
    return run;
  }

  async cancelRequests(runIds: string[]): Promise<Array<{ run_id: string; cancel_action: "interrupt" | "rollback" }>> {
    if (!runIds.length) return [];
    const { rows } = await this.pool.query(
      "SELECT run_id, cancel_action FROM runs WHERE run_id = ANY($1::uuid[]) AND cancel_action IS NOT NULL",
      [runIds],
    );
    return rows;
  }

  // ---- events ----

  async appendEvents(runId: string, events: Array<{ seq: number; event: string; data: string }>): Promise<void> {
    if (!events.length) return;
    await this.pool.query(
      `INSERT INTO run_events (run_id, seq, event, data)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [runId, events.map((e) => e.seq), events.map((e) => e.event), events.map((e) => e.data)],
    );
  }

  async eventsAfter(runId: string, afterSeq: number): Promise<Array<{ seq: number; event: string; data: string }>> {
    const { rows } = await this.pool.query(
      "SELECT seq, event, data FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000",
      [runId, afterSeq],
    );
    return rows;
  }

  async maxEventSeq(runId: string): Promise<number> {
    const { rows } = await this.pool.query("SELECT COALESCE(max(seq), 0) AS seq FROM run_events WHERE run_id = $1", [runId]);
    return Number(rows[0].seq);
  }
}
