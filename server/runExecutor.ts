import type pg from "pg";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { Command, type StateSnapshot } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import type { ServedRuntime } from "./runtime.ts";
import { EXEC_LOCK_SQL, type RunRow, type RunStatus, type ServerStore } from "./store.ts";
import { serializeError, toJson, toPlain } from "./serialize.ts";
import { summarizeTurn } from "./turnSummary.ts";
import { isDatabaseUnavailable } from "./errors.ts";
import { durabilityForTurn } from "../graphs/durability.ts";
import { fenceCheckpointWrites, type CheckpointFence } from "./checkpointFence.ts";


export interface RunEvent {
  seq: number;
  event: string;
  data: string;
}

const TERMINAL: RunStatus[] = ["success", "error", "timeout", "interrupted"];
export const isTerminal = (s: RunStatus) => TERMINAL.includes(s);

/** Events of one run executing in this process: replayable from memory, persisted in batches. */
/**
 * "values" events are whole-state snapshots, each superseding the one before. Keeping only the last
 * of a run of them (other events stay, in order) is what a re-attaching client needs and spares the
 * database and memory most of a turn's events (≈ 10 snapshots of ≈ 6 KB each per turn).
 */
export function dropSupersededValues(events: RunEvent[]): RunEvent[] {
  let lastValues = -1;
  for (let i = events.length - 1; i >= 0 && lastValues < 0; i--) if (events[i]!.event === "values") lastValues = i;
  return events.filter((e, i) => e.event !== "values" || i === lastValues);
}

class RunChannel {
  events: RunEvent[] = [];
  private unpersisted: RunEvent[] = [];
  private waiters: Array<() => void> = [];
  done = false;

  constructor(private nextSeq: number) {}

  push(event: string, data: string) {
    const ev = { seq: this.nextSeq++, event, data };
    this.events.push(ev);
    this.unpersisted.push(ev);
    this.wake();
  }

  finish() {
    this.done = true;
    // Late re-attachers replay from memory for a while: the final snapshot is enough for them.
    this.events = dropSupersededValues(this.events);
    this.wake();
  }

  takeUnpersisted(): RunEvent[] {
    const out = dropSupersededValues(this.unpersisted);
    this.unpersisted = [];
    return out;
  }

  restore(events: RunEvent[]) {
    this.unpersisted = [...events, ...this.unpersisted];
  }

  /** Resolves at the next event or at the end of the run. */
  next(signal?: AbortSignal): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

interface ActiveRun {
  run: RunRow;
  controller: AbortController;
  /** The checkpoint durability the run's graph executes with (set once it starts). */
  durability?: string;
}

type AbortReason = "interrupt" | "rollback" | "timeout" | "shutdown";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Executes runs. Any replica may execute any pending run: a run executes only while its replica
 * holds the thread's session advisory lock (on a dedicated pool), so one thread never runs two
 * turns at once across replicas, and a crashed replica's lock vanishes with its connection.
 * Pending runs of a thread execute in creation order (multitask `enqueue`); a run found `running`
 * with no lock holder was orphaned by a crash and is resumed from its last checkpoint.
 */
export class RunExecutor {
  readonly worker = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private channels = new Map<string, RunChannel>();
  private active = new Map<string, ActiveRun>();
  private draining = new Set<string>();
  private rekick = new Set<string>();
  private retryTimers = new Map<string, NodeJS.Timeout>();
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  private readonly fence: CheckpointFence;

  constructor(
    private deps: {
      store: ServerStore;
      lockPool: pg.Pool;
      runtime: ServedRuntime;
      metrics: Metrics;
      log: Logger;
      concurrency: number;
      sweepIntervalMs: number;
      runTimeoutSeconds: number;
    },
  ) {
    this.fence = fenceCheckpointWrites(deps.runtime.checkpointer);
  }

  start() {
    this.timers.push(setInterval(() => void this.sweep(), this.deps.sweepIntervalMs));
    this.timers.push(setInterval(() => void this.pollCancellations(), 200));
    for (const t of this.timers) t.unref();
    void this.sweep();
  }

  get activeCount() {
    return this.active.size;
  }

  /** Asks this replica to execute the thread's pending runs now. */
  kick(threadId: string) {
    if (this.closed) return;
    if (this.draining.has(threadId)) {
      this.rekick.add(threadId);
      return;
    }
    if (this.active.size >= this.deps.concurrency) {
      this.retryLater(threadId, 50);
      return;
    }
    void this.drain(threadId);
  }

  private retryLater(threadId: string, ms: number) {
    if (this.closed || this.retryTimers.has(threadId)) return;
    const t = setTimeout(() => {
      this.retryTimers.delete(threadId);
      this.kick(threadId);
    }, ms);
    t.unref();
    this.retryTimers.set(threadId, t);
  }

  private async drain(threadId: string) {
    this.draining.add(threadId);
    let client: pg.PoolClient | undefined;
    let broken = false;
    try {
      client = await this.deps.lockPool.connect();
      const { rows } = await client.query(`SELECT pg_try_advisory_lock(${EXEC_LOCK_SQL}) AS ok`, [threadId]);
      if (!rows[0].ok) {
        // Another replica runs this thread; it drains the queue, and the sweeper covers a crash.
        this.retryLater(threadId, 250);
        return;
      }
      try {
        while (!this.closed) {
          const run = await this.claimNext(threadId);
          if (!run) break;
          await this.execute(run);
        }
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${EXEC_LOCK_SQL})`, [threadId]).catch(() => (broken = true));
      }
    } catch (err) {
      broken = true;
      this.deps.log.warn({ err, thread_id: threadId }, "run queue drain failed; will retry");
      this.retryLater(threadId, 1000);
    } finally {
      // A session whose unlock failed may still hold the lock: never reuse it.
      client?.release(broken);
      this.draining.delete(threadId);
      if (this.rekick.delete(threadId)) this.kick(threadId);
      if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /**
   * Claims the thread's next run: an orphaned `running` one first (crash recovery), then the oldest
   * pending. On a first attempt with Aisle's PostgreSQL checkpointer the same statement records the
   * thread's latest checkpoint as `checkpoint_before` (what cancel-with-rollback restores), sparing a
   * full state read and an UPDATE per turn.
   */
  private async claimNext(threadId: string): Promise<(RunRow & { before_recorded?: boolean }) | undefined> {
    const sqlCheckpoints = this.deps.runtime.checkpointer instanceof PostgresSaver;
    const { rows } = await this.deps.store.pool.query<RunRow>(
      `UPDATE runs SET status = 'running', attempt = attempt + 1, worker = $2,
              started_at = COALESCE(started_at, now()), updated_at = now()
              ${sqlCheckpoints ? `, checkpoint_before = CASE WHEN attempt = 0 THEN (SELECT checkpoint_id FROM checkpoints WHERE thread_id = $1::text AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1) ELSE checkpoint_before END` : ""}
       WHERE run_id = (SELECT run_id FROM runs WHERE thread_id = $1 AND status IN ('running', 'pending')
                       ORDER BY (status = 'running') DESC, created_at LIMIT 1)
       RETURNING *`,
      [threadId, this.worker],
    );
    return rows[0] && { ...rows[0], before_recorded: sqlCheckpoints && rows[0].attempt === 1 };
  }

  /** Looks for runs no live replica is executing (creator crashed or busy) and drains their threads. */
  private async sweep() {
    if (this.closed) return;
    try {
      const { rows } = await this.deps.store.pool.query<{ thread_id: string }>(
        `SELECT DISTINCT thread_id FROM runs
         WHERE status IN ('pending', 'running') AND updated_at < now() - interval '500 milliseconds'
         LIMIT 100`,
      );
      for (const r of rows) if (!this.draining.has(r.thread_id)) this.kick(r.thread_id);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) this.deps.log.warn({ err }, "run sweep failed");
    }
  }

  /** Cancellation requested on another replica reaches the run here within ~200 ms. */
  private async pollCancellations() {
    if (!this.active.size) return;
    try {
      const requests = await this.deps.store.cancelRequests([...this.active.keys()]);
      for (const r of requests) this.abortLocal(r.run_id, r.cancel_action);
    } catch {
      // The database being briefly unreachable only delays cancellation.
    }
  }

  abortLocal(runId: string, reason: AbortReason): boolean {
    const a = this.active.get(runId);
    if (!a || a.controller.signal.aborted) return false;
    // A rolled-back run must leave nothing; an interrupted "exit" run had written nothing, and its
    // loop's late exit write must not land under the next run (server/checkpointFence.ts).
    if (reason === "rollback" || (reason === "interrupt" && a.durability === "exit")) this.fence.fence(runId);
    a.controller.abort(reason);
    return true;
  }

  private async execute(run: RunRow & { before_recorded?: boolean }) {
    const { store, runtime, metrics, log } = this.deps;
    const controller = new AbortController();
    this.active.set(run.run_id, { run, controller });
    metrics.runsActive.set(this.active.size);
    const firstSeq = run.attempt > 1 ? (await store.maxEventSeq(run.run_id)) + 1 : 1;
    const channel = new RunChannel(firstSeq);
    this.channels.set(run.run_id, channel);
    const started = performance.now();
    const timeout = setTimeout(() => controller.abort("timeout"), this.deps.runTimeoutSeconds * 1000);
    timeout.unref();
    const threadConfig = { configurable: { thread_id: run.thread_id } };
    let status: RunStatus = "success";
    let error: { error: string; message: string } | null = null;
    let finalState: StateSnapshot | undefined;
    const nodeStarts = new Map<string, { name: string; at: number }>();
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      flushing = flushing.then(async () => {
        const batch = channel.takeUnpersisted();
        try {
          await store.appendEvents(run.run_id, batch);
        } catch (err) {
          channel.restore(batch);
          throw err;
        }
      });
      return flushing;
    };
    // Persisted events serve re-attaching clients and other replicas, which poll every 100 ms
    // (subscribe below): flushing more often than they read only adds statements per turn.
    const flushTimer = setInterval(() => void flush().catch(() => {}), 100);
    flushTimer.unref();

    try {
      let input: unknown = run.kwargs.command ? new Command(run.kwargs.command as ConstructorParameters<typeof Command>[0]) : (run.kwargs.input ?? null);
      let skipGraph = false;
      if (run.attempt === 1) {
        if (!run.before_recorded) {
          const before = await runtime.graph.getState(threadConfig);
          const checkpointId = (before.config?.configurable?.checkpoint_id as string | undefined) ?? null;
          run.checkpoint_before = checkpointId;
          await store.pool.query("UPDATE runs SET checkpoint_before = $2 WHERE run_id = $1", [run.run_id, checkpointId]);
        }
      } else {
        const before = await runtime.graph.getState(threadConfig);
        // Recovery after a crash or shutdown: continue from the run's last checkpoint if it wrote
        // any; replay its input only if it never reached the checkpointer.
        const latest = (before.config?.configurable?.checkpoint_id as string | undefined) ?? null;
        if (latest !== run.checkpoint_before) {
          input = null;
          // `next` omits tasks whose writes were saved before the crash; `tasks` still lists them,
          // and resuming applies those writes and carries on. Only no tasks at all means done.
          skipGraph = before.tasks.length === 0 || before.tasks.some((t) => t.interrupts?.length);
        }
        log.info({ run_id: run.run_id, attempt: run.attempt, resumed: latest !== run.checkpoint_before }, "recovering run");
      }
      channel.push("metadata", toJson({ run_id: run.run_id, attempt: run.attempt }));

      const userModes = new Set(run.kwargs.stream_mode);
      // Node latency comes from the graph's monitoring hook when it has one, else from task events.
      // "values" always: the last chunk is the run's final state, which spares a getState (a full
      // checkpoint read and deserialisation, ≈ 5 ms of CPU a turn) when the run simply completed.
      const libModes = new Set<string>(runtime.reportsNodeEvents ? ["values"] : ["tasks", "values"]);
      let lastValues: Record<string, unknown> | undefined;
      let sawInterrupt = false;
      for (const m of userModes) {
        if (m === "messages-tuple" || m === "messages") libModes.add("messages");
        else if (m !== "events") libModes.add(m);
      }
      const configurable: Record<string, unknown> = {
        ...(run.kwargs.config.configurable ?? {}),
        thread_id: run.thread_id,
        run_id: run.run_id,
        caller: run.caller,
        onNodeEnd: (e: { node: string; ms: number }) => metrics.nodeDuration.observe({ node: e.node }, e.ms / 1000),
      };
      if (run.kwargs.checkpoint_id && run.attempt === 1) configurable.checkpoint_id = run.kwargs.checkpoint_id;

      if (!skipGraph) {
        const durability = run.kwargs.durability ?? durabilityForTurn(input);
        const entry = this.active.get(run.run_id);
        if (entry) entry.durability = durability;
        const stream = await runtime.graph.stream(input, {
          configurable,
          streamMode: [...libModes],
          signal: controller.signal,
          ...(run.kwargs.config.recursion_limit ? { recursionLimit: run.kwargs.config.recursion_limit } : {}),
          ...(run.kwargs.config.tags ? { tags: run.kwargs.config.tags } : {}),
          ...(run.kwargs.interrupt_before ? { interruptBefore: run.kwargs.interrupt_before } : {}),
          ...(run.kwargs.interrupt_after ? { interruptAfter: run.kwargs.interrupt_after } : {}),
          // AISLE_DURABILITY (default "sync"; "adaptive", graphs/durability.ts: "sync" for a turn that could
          // carry out a consequential action — its proposal is checkpointed before its tools run, so
          // a crash replays the same tool-call ids and the idempotency keys hold
          // (tools/idempotency.ts) — and "exit" for the rest, which a crash simply re-runs from input).
          durability,
          runId: run.run_id,
        });
        for await (const chunk of stream) {
          const [mode, data] = chunk as [string, unknown];
          if (mode === "tasks") {
            const t = data as { id: string; name: string; result?: unknown; error?: unknown };
            if (!("result" in t) && !("error" in t)) nodeStarts.set(t.id, { name: t.name, at: performance.now() });
            else {
              const s = nodeStarts.get(t.id);
              if (s) metrics.nodeDuration.observe({ node: s.name }, (performance.now() - s.at) / 1000);
            }
            if (!userModes.has("tasks")) continue;
          }
          if (mode === "values") {
            // LangGraph also emits `{ __interrupt__: [...] }` on "values" when a run pauses.
            if (data && typeof data === "object" && "__interrupt__" in data) sawInterrupt = true;
            else lastValues = data as Record<string, unknown>;
            if (!userModes.has("values")) continue;
          }
          if (mode === "messages") {
            if (userModes.has("messages-tuple") || userModes.has("messages")) channel.push("messages", toJson(data));
            continue;
          }
          if (mode === "debug") {
            channel.push("debug", toJson(cleanDebug(data)));
            continue;
          }
          if (userModes.has(mode)) channel.push(mode, toJson(data));
        }
      }
      // A run that ran to END without pausing: its last "values" chunk is the thread's state, with
      // nothing next and no pending tasks. Anything else (a pause, static interrupts, no graph run)
      // reads the snapshot.
      const paused = sawInterrupt || run.kwargs.interrupt_before?.length || run.kwargs.interrupt_after?.length;
      finalState =
        lastValues && !paused
          ? ({ values: lastValues, next: [], tasks: [], config: threadConfig, metadata: undefined, createdAt: undefined } as unknown as StateSnapshot)
          : await runtime.graph.getState(threadConfig);
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
      if (reason === "timeout") {
        status = "timeout";
        error = { error: "TimeoutError", message: `Run exceeded ${this.deps.runTimeoutSeconds} s.` };
      } else if (reason === "interrupt" || reason === "rollback") {
        status = "interrupted";
      } else if (reason === "shutdown") {
        status = "pending";
      } else {
        status = "error";
        error = serializeError(err);
        log.warn({ err, run_id: run.run_id, thread_id: run.thread_id }, "run failed");
      }
      if (error) channel.push("error", toJson(error));
      finalState = await runtime.graph.getState(threadConfig).catch(() => undefined);
    } finally {
      clearTimeout(timeout);
      clearInterval(flushTimer);
    }

    const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
    try {
      await flush().catch(() => flush());
      if (reason === "rollback") {
        await this.rollback(run);
      } else {
        await this.finishRun(run, status, error, finalState);
      }
    } catch (err) {
      // The run stays `running` in the database; the sweeper recovers it once the database is back.
      log.error({ err, run_id: run.run_id }, "could not record the end of a run");
    } finally {
      channel.finish();
      this.active.delete(run.run_id);
      metrics.runsActive.set(this.active.size);
      metrics.runDuration.observe({ status }, (performance.now() - started) / 1000);
      // Late re-attachers on this replica replay from memory for a while, then from the database.
      setTimeout(() => this.channels.delete(run.run_id), 30_000).unref();
    }
    if (finalState && status === "success") this.recordTurn(finalState, (performance.now() - started) / 1000);
  }

  private async finishRun(run: RunRow, status: RunStatus, error: RunRow["error"], state: StateSnapshot | undefined) {
    const { store } = this.deps;
    const interrupts: Record<string, unknown[]> = {};
    for (const t of state?.tasks ?? []) if (t.interrupts?.length) interrupts[t.id] = toPlain(t.interrupts);
    const threadStatus = status === "error" ? "error" : Object.keys(interrupts).length || (state?.next.length ?? 0) > 0 ? "interrupted" : "idle";
    const runUpdate = `UPDATE runs SET status = $2, error = $3, worker = CASE WHEN $2 = 'pending' THEN NULL ELSE worker END,
                ended_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END, updated_at = now()
         WHERE run_id = $1`;
    if (status === "pending") {
      await store.pool.query(runUpdate, [run.run_id, status, error]);
      return;
    }
    // One statement (atomic on its own) instead of BEGIN, two UPDATEs, COMMIT. The thread's status
    // is computed as store.setThreadState does, except that this run (updated in the same
    // statement, so not yet visible to it) is excluded from the "runs still queued" check.
    await store.pool.query(
      `WITH r AS (${runUpdate})
       UPDATE threads SET
         status = CASE WHEN $4::text = 'error' OR $4::text = 'interrupted' THEN $4::text
                       WHEN EXISTS (SELECT 1 FROM runs WHERE thread_id = $5 AND status IN ('pending', 'running') AND run_id <> $1) THEN 'busy'
                       ELSE $4::text END,
         "values" = COALESCE($6::jsonb, "values"),
         interrupts = $7::jsonb,
         error = $8::jsonb,
         updated_at = now(), state_updated_at = now()
       WHERE thread_id = $5`,
      [
        run.run_id,
        status,
        error,
        threadStatus,
        run.thread_id,
        state ? JSON.stringify(toPlain(state.values)) : null,
        JSON.stringify(interrupts),
        status === "error" ? JSON.stringify(error) : null,
      ],
    );
  }

  /** Cancel with rollback: the run and every checkpoint it wrote disappear. */
  private async rollback(run: RunRow) {
    const { store, runtime } = this.deps;
    const client = await store.pool.connect();
    try {
      await client.query("BEGIN");
      await deleteCheckpointsAfter(client, run.thread_id, run.checkpoint_before);
      await client.query("DELETE FROM runs WHERE run_id = $1", [run.run_id]);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    const state = await runtime.graph.getState({ configurable: { thread_id: run.thread_id } });
    const interrupts: Record<string, unknown[]> = {};
    for (const t of state.tasks ?? []) if (t.interrupts?.length) interrupts[t.id] = toPlain(t.interrupts);
    await store.setThreadState(run.thread_id, {
      status: Object.keys(interrupts).length ? "interrupted" : "idle",
      values: toPlain(state.values ?? {}),
      interrupts,
      error: null,
    });
  }

  private recordTurn(state: StateSnapshot, seconds: number) {
    const { metrics } = this.deps;
    const interrupted = state.tasks.some((t) => t.interrupts?.length);
    const s = summarizeTurn(toPlain(state.values), interrupted);
    const labels = { intent: s.intent ?? "unknown", tier: s.tier ?? "unknown" };
    metrics.turns.inc(labels);
    metrics.turnDuration.observe(labels, seconds);
    if (interrupted) metrics.escalations.inc();
    if (s.tokens) {
      metrics.tokens.inc({ tier: labels.tier, kind: "input" }, s.tokens.input);
      metrics.tokens.inc({ tier: labels.tier, kind: "output" }, s.tokens.output);
    }
    if (s.costUsd) metrics.cost.inc({ tier: labels.tier }, s.costUsd);
    for (const v of s.verdicts) metrics.verdicts.inc({ rail: String(v.stage ?? "unknown"), verdict: String(v.verdict ?? "unknown") });
    for (const tool of s.toolErrors) metrics.toolErrors.inc({ tool });
  }

  /**
   * The run's events after `afterSeq`, live until the run ends: from memory when it executes here,
   * otherwise from the database (another replica, or a finished run).
   */
  async *subscribe(runId: string, opts: { afterSeq: number; signal?: AbortSignal }): AsyncGenerator<RunEvent> {
    let seq = opts.afterSeq;
    const { store } = this.deps;
    while (!opts.signal?.aborted) {
      const ch = this.channels.get(runId);
      if (ch && (ch.events[0]?.seq ?? Infinity) <= seq + 1) {
        for (const ev of ch.events) if (ev.seq > seq) (yield ev, (seq = ev.seq));
        if (ch.done) return;
        await ch.next(opts.signal);
        continue;
      }
      const evs = await store.eventsAfter(runId, seq);
      for (const ev of evs) (yield ev, (seq = ev.seq));
      if (evs.length) continue;
      const run = await store.getRun(runId);
      if (!run || isTerminal(run.status)) {
        for (const ev of await store.eventsAfter(runId, seq)) (yield ev, (seq = ev.seq));
        return;
      }
      if (!this.channels.has(runId)) await sleep(100, opts.signal);
    }
  }

  /** Resolves with the run's final row once it is no longer pending or running (undefined if deleted). */
  async waitForEnd(runId: string, signal?: AbortSignal): Promise<RunRow | undefined> {
    const { store } = this.deps;
    while (!signal?.aborted) {
      const ch = this.channels.get(runId);
      if (ch && !ch.done) {
        await ch.next(signal);
        continue;
      }
      const run = await store.getRun(runId);
      if (!run || isTerminal(run.status)) return run;
      await sleep(ch ? 10 : 100, signal);
    }
    return store.getRun(runId);
  }

  /** Stops taking work, lets in-flight runs finish for up to `graceMs`, then hands them back as pending. */
  async close(graceMs: number) {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    const idle = new Promise<void>((resolve) => (this.active.size || this.draining.size ? this.idleWaiters.push(resolve) : resolve()));
    const deadline = sleep(graceMs).then(() => "timeout" as const);
    if ((await Promise.race([idle, deadline])) === "timeout") {
      for (const id of this.active.keys()) this.abortLocal(id, "shutdown");
      await Promise.race([idle, sleep(5000)]);
    }
  }
}

/** Deletes the thread's checkpoints written after `checkpointId` (all of them when null). */
export async function deleteCheckpointsAfter(client: pg.PoolClient | pg.Pool, threadId: string, checkpointId: string | null) {
  // Checkpoint ids are time-ordered UUIDv6 strings, so "written after" is a string comparison.
  await client.query(
    `DELETE FROM checkpoint_writes WHERE thread_id = $1 AND ($2::text IS NULL OR checkpoint_id > $2)`,
    [threadId, checkpointId],
  );
  await client.query(`DELETE FROM checkpoints WHERE thread_id = $1 AND ($2::text IS NULL OR checkpoint_id > $2)`, [threadId, checkpointId]);
}

/** Debug events as the Agent Server sends them: no callbacks or internal (`__`) config keys. */
function cleanDebug(data: unknown): unknown {
  const d = data as { type?: string; payload?: Record<string, unknown> };
  if (!d?.payload) return data;
  const clean = (cfg: unknown) => {
    const c = cfg as { configurable?: Record<string, unknown> } | undefined;
    if (!c?.configurable) return cfg;
    return { configurable: Object.fromEntries(Object.entries(c.configurable).filter(([k]) => !k.startsWith("__") && k !== "caller")) };
  };
  const payload = { ...d.payload };
  if ("config" in payload) payload.config = clean(payload.config);
  if ("parentConfig" in payload) {
    payload.parent_config = clean(payload.parentConfig);
    delete payload.parentConfig;
  }
  return { ...d, payload };
}
