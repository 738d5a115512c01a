import { createHash, randomUUID } from "node:crypto";
import type { Db } from "../db/executor.ts";
import { maskPersonalData, traceMaskMode, type TraceMaskMode } from "./mask.ts";
import { TurnTrace, type StoredTurnTrace, type ToolSchema, type TurnTraceInput } from "./schema.ts";

/** JSON with object keys sorted, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

export const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** A turn is "passed" when it completed cleanly; feedback is applied later, at export time. */
export function turnPassed(t: TurnTrace): boolean {
  return (t.outcome === "completed" || t.outcome === "handoff") && !t.error && t.eval?.passed !== false;
}

/** Governance fixed or blocked a proposal and kept it: the turn yields a preference pair. */
export const hasPreference = (t: TurnTrace) =>
  t.governance.some((g) => (g.verdict === "fix" || g.verdict === "block" || g.verdict === "confirm") && g.original !== undefined);

/** A turn trace validated and masked, ready to insert (no I/O yet). */
export interface PreparedTrace {
  trace: TurnTrace;
  tools: ToolSchema[];
}

/** Validates a turn against `TurnTrace` and masks PII, before anything is written. */
export function prepareTurnTrace(input: TurnTraceInput, opts: { mask?: TraceMaskMode } = {}): PreparedTrace {
  const parsed = TurnTrace.parse(input);
  // Identifiers are keys, not personal data: a thread id with a long digit run must not be
  // masked like a phone number (that made distinct threads share one trace key).
  const { tools, system, thread_id, run_id, checkpoint_id, parent_checkpoint_id, ...rest } = parsed;
  const masked = maskPersonalData({ ...rest, system }, opts.mask ?? traceMaskMode());
  const ids = { thread_id, run_id, checkpoint_id, parent_checkpoint_id };
  return { trace: { ...masked, ...ids, tools, trace_id: parsed.trace_id ?? randomUUID() }, tools };
}

/**
 * Inserts a prepared trace as turn `turn` in ONE statement: the tool schemas and system prompt go
 * to `trace_assets` by hash (once; a data-modifying CTE) together with the `turn_traces` row. The
 * caller holds the thread's trace lock (`TRACE_LOCK_SQL`) in its transaction.
 */
export async function insertPreparedTrace(tx: Db, { trace, tools }: PreparedTrace, turn: number): Promise<StoredTurnTrace> {
  // Hashed canonically (key order does not make a new asset), stored as given (the order the model saw).
  const assets: { hash: string; kind: "tools" | "system"; content: string }[] = [];
  if (tools.length) assets.push({ hash: sha256(canonicalJson(tools)), kind: "tools", content: JSON.stringify(tools) });
  if (trace.system !== undefined) assets.push({ hash: sha256(canonicalJson(trace.system)), kind: "system", content: JSON.stringify(trace.system) });
  const toolsHash = tools.length ? assets[0]!.hash : null;
  const systemHash = trace.system !== undefined ? assets.at(-1)!.hash : null;
  const { system: _s, tools: _t, ...doc } = trace;
  await tx.query(
    `WITH assets AS (
       INSERT INTO trace_assets (hash, kind, content)
       SELECT a.hash, a.kind, a.content::json FROM unnest($25::text[], $26::text[], $27::text[]) AS a(hash, kind, content)
       ON CONFLICT (hash) DO NOTHING
     )
     INSERT INTO turn_traces (trace_id, thread_id, turn, run_id, checkpoint_id, schema_version, started_at, ended_at,
       intent, confidence, tier, router_version, model, policy_version, outcome, passed, has_preference,
       tokens_in, tokens_out, cost_usd, latency_ms, tools_hash, system_hash, trace)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24)`,
    [
      trace.trace_id,
      trace.thread_id,
      turn,
      trace.run_id ?? null,
      trace.checkpoint_id ?? null,
      trace.schema_version,
      trace.started_at,
      trace.ended_at,
      trace.route?.intent ?? null,
      trace.route?.confidence ?? null,
      trace.route?.tier_used ?? trace.route?.tier ?? null,
      trace.route?.router_version ?? null,
      trace.model ?? null,
      trace.policy?.version ?? null,
      trace.outcome,
      turnPassed(trace),
      hasPreference(trace),
      trace.usage.tokens_in,
      trace.usage.tokens_out,
      trace.usage.cost_usd,
      Math.max(0, trace.ended_at.getTime() - trace.started_at.getTime()),
      toolsHash,
      systemHash,
      JSON.stringify({ ...doc, turn }),
      assets.map((a) => a.hash),
      assets.map((a) => a.kind),
      assets.map((a) => a.content),
    ],
  );
  return { ...trace, turn } as StoredTurnTrace;
}

/** The thread's trace lock: one writer per thread at a time, so turn numbers are dense and never collide. */
export const TRACE_LOCK_SQL = "pg_advisory_xact_lock(hashtext('aisle.trace:' || $1))";

/**
 * Stores one turn. Validates it against `TurnTrace`, masks PII (before anything is written),
 * stores the tool schemas and system prompt once by hash, and assigns the next turn number of the
 * thread when none is given. Recording the same run twice returns the first record unchanged.
 */
export async function recordTurnTrace(
  db: Db,
  input: TurnTraceInput,
  opts: { mask?: TraceMaskMode } = {},
): Promise<StoredTurnTrace> {
  const prepared = prepareTurnTrace(input, opts);
  const { trace } = prepared;
  return db.transaction(async (tx) => {
    await tx.query(`SELECT ${TRACE_LOCK_SQL}`, [trace.thread_id]);
    if (trace.run_id) {
      const existing = await tx.query<{ trace_id: string }>("SELECT trace_id FROM turn_traces WHERE run_id = $1", [trace.run_id]);
      if (existing.rows[0]) return (await readTurnTrace(tx, existing.rows[0].trace_id))!;
    }
    let turn = trace.turn;
    if (turn === undefined) {
      const { rows } = await tx.query<{ next: number }>(
        "SELECT COALESCE(MAX(turn) + 1, 0) AS next FROM turn_traces WHERE thread_id = $1",
        [trace.thread_id],
      );
      turn = rows[0]!.next;
    }
    return insertPreparedTrace(tx, prepared, turn);
  });
}

/** The row columns every reader selects, and how they become a `StoredTurnTrace`. */
export const TRACE_COLUMNS = `t.trace_id, t.turn, t.trace, t.tools_hash, t.system_hash`;

export interface TraceRow {
  trace_id: string;
  turn: number;
  trace: Record<string, unknown>;
  tools_hash: string | null;
  system_hash: string | null;
}

/** Rebuilds a stored trace from its row and its assets (looked up through `asset`, cached by callers). */
export function traceFromRow(row: TraceRow, asset: (hash: string) => unknown): StoredTurnTrace {
  const tools = row.tools_hash ? (asset(row.tools_hash) as ToolSchema[]) : [];
  const system = row.system_hash ? (asset(row.system_hash) as string) : undefined;
  const parsed = TurnTrace.parse({ ...row.trace, tools, system });
  return { ...parsed, trace_id: row.trace_id, turn: row.turn };
}

export async function loadAssets(db: Db, hashes: Iterable<string>, into: Map<string, unknown>): Promise<void> {
  const missing = [...new Set(hashes)].filter((h) => !into.has(h));
  if (!missing.length) return;
  const { rows } = await db.query<{ hash: string; content: unknown }>("SELECT hash, content FROM trace_assets WHERE hash = ANY($1)", [missing]);
  for (const r of rows) into.set(r.hash, r.content);
}

async function readRows(db: Db, rows: TraceRow[]): Promise<StoredTurnTrace[]> {
  const assets = new Map<string, unknown>();
  await loadAssets(db, rows.flatMap((r) => [r.tools_hash, r.system_hash].filter((h): h is string => !!h)), assets);
  return rows.map((r) => traceFromRow(r, (h) => assets.get(h)));
}

export async function readTurnTrace(db: Db, traceId: string): Promise<StoredTurnTrace | undefined> {
  const { rows } = await db.query<TraceRow>(`SELECT ${TRACE_COLUMNS} FROM turn_traces t WHERE t.trace_id = $1`, [traceId]);
  return (await readRows(db, rows))[0];
}

/** Every recorded turn of a thread, in order. */
export async function readThreadTraces(db: Db, threadId: string): Promise<StoredTurnTrace[]> {
  const { rows } = await db.query<TraceRow>(`SELECT ${TRACE_COLUMNS} FROM turn_traces t WHERE t.thread_id = $1 ORDER BY t.turn`, [threadId]);
  return readRows(db, rows);
}

/** Where the next turn's messages start in the thread's message list (0 for a new thread). */
export const NEXT_MESSAGE_OFFSET_SQL = `SELECT COALESCE((trace->>'message_end')::int, (trace->>'message_offset')::int + json_array_length(trace->'messages')) AS next
       FROM turn_traces WHERE thread_id = $1 ORDER BY turn DESC LIMIT 1`;

export async function nextMessageOffset(db: Db, threadId: string): Promise<number> {
  const { rows } = await db.query<{ next: number }>(NEXT_MESSAGE_OFFSET_SQL, [threadId]);
  return rows[0]?.next ?? 0;
}
