import { createHash } from "node:crypto";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { Db } from "../db/executor.ts";
import type { AisleStateValue, AisleUpdate } from "../graphs/state.ts";
import { ensureConfiguration } from "../graphs/configuration.ts";
import { reportTraceError, traceFromState } from "../traces/fromState.ts";
import { insertPreparedTrace, NEXT_MESSAGE_OFFSET_SQL, prepareTurnTrace, TRACE_LOCK_SQL, type PreparedTrace } from "../traces/store.ts";

/**
 * Audit: at the end of every turn, append the turn's steps to `audit_log` — one row per node run,
 * tool call and governance verdict, plus a turn summary — hash-chained per thread. Rows carry
 * digests of text (input, tool results, reply) and ids, never the text itself.
 */

export const GENESIS_HASH = "0".repeat(64);

export interface AuditRow {
  thread_id: string;
  seq: number;
  turn: number;
  at: string;
  node: string;
  kind: "turn" | "node" | "tool" | "verdict";
  input_digest: string | null;
  decision: Record<string, unknown>;
  tool: string | null;
  result_digest: string | null;
  verdict: string | null;
  rule: string | null;
  duration_ms: number | null;
  prev_hash: string;
  hash: string;
}

export const digest = (s: string) => createHash("sha256").update(s).digest("hex");

function canonical(x: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sort(x));
}

/** The hash of a row: sha256 over the previous hash and the row's canonical content. */
export function rowHash(row: Omit<AuditRow, "hash">): string {
  const { prev_hash, ...content } = row;
  return digest(`${prev_hash}\n${canonical({ ...content, at: new Date(content.at).toISOString() })}`);
}

/** Arguments safe to keep in the log: ids and enums, never contact details. */
const SAFE_ARG_KEYS = new Set(["order_id", "item_ids", "new_item_ids", "payment_method_id", "reason", "product_id", "user_id", "percent", "store_id"]);
const safeArgs = (args: Record<string, unknown> | undefined) =>
  Object.fromEntries(Object.entries(args ?? {}).filter(([k]) => SAFE_ARG_KEYS.has(k)));

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));

type Draft = Omit<AuditRow, "thread_id" | "seq" | "prev_hash" | "hash">;

/** The rows describing the turn that just ended. */
export function turnRows(state: AisleStateValue): Draft[] {
  const turn = state.turn;
  const at = new Date().toISOString();
  const rows: Draft[] = [];
  const inputDigest = state.input ? digest(state.input.text) : null;
  rows.push({
    turn,
    at,
    node: "turn",
    kind: "turn",
    input_digest: inputDigest,
    decision: {
      caller_role: state.caller?.role ?? null,
      authenticated: state.authenticated?.user_id ?? null,
      intent: state.route?.intent ?? null,
      agent: state.route?.agent ?? null,
      tier: state.route?.tier_used ?? null,
      router_version: state.route?.router_version ?? null,
      policy_version: state.policy_outcome?.version ?? null,
      reply_digest: state.reply ? digest(state.reply) : null,
      pending_action: state.pending_action ? state.pending_action.tool : null,
    },
    tool: null,
    result_digest: null,
    verdict: null,
    rule: null,
    duration_ms: null,
  });
  for (const t of state.timings.filter((x) => x.turn === turn)) {
    rows.push({ turn, at, node: t.node, kind: "node", input_digest: null, decision: { outcome: t.outcome, tier: t.tier ?? null, tokens_in: t.tokens_in, tokens_out: t.tokens_out, cost_usd: t.cost_usd }, tool: null, result_digest: null, verdict: null, rule: null, duration_ms: t.ms });
  }
  // Tool calls and their results, from this turn's messages.
  let start = state.messages.length;
  for (let i = state.messages.length - 1; i >= 0; i--) {
    if (state.messages[i].getType() === "human") {
      start = i + 1;
      break;
    }
  }
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  for (const m of state.messages.slice(start)) {
    if (AIMessage.isInstance(m)) for (const c of m.tool_calls ?? []) if (c.id) calls.set(c.id, { name: c.name, args: c.args });
    if (ToolMessage.isInstance(m)) {
      const call = calls.get(m.tool_call_id);
      rows.push({
        turn,
        at,
        node: "tools",
        kind: "tool",
        input_digest: call ? digest(canonical(call.args)) : null,
        decision: { args: safeArgs(call?.args), status: m.status ?? "success" },
        tool: call?.name ?? m.name ?? null,
        result_digest: digest(textOf(m)),
        verdict: null,
        rule: null,
        duration_ms: null,
      });
    }
  }
  for (const v of state.verdicts.filter((x) => x.turn === turn)) {
    rows.push({
      turn,
      at,
      node: v.stage === "tool_data" ? "tools" : "governance",
      kind: "verdict",
      input_digest: v.args ? digest(canonical(v.args)) : null,
      decision: { stage: v.stage, reason: v.reason, args: safeArgs(v.args), ...(v.decision ? { manager: v.decision } : {}) },
      tool: v.tool ?? null,
      result_digest: null,
      verdict: v.verdict,
      rule: v.rule,
      duration_ms: null,
    });
  }
  return rows;
}

const COLUMNS = ["thread_id", "seq", "turn", "at", "node", "kind", "input_digest", "decision", "tool", "result_digest", "verdict", "rule", "duration_ms", "prev_hash", "hash"] as const;

const AUDIT_LOCK_SQL = "pg_advisory_xact_lock(hashtext('aisle-audit'), hashtext($1))";
const LAST_AUDIT_SQL = "SELECT seq, hash FROM audit_log WHERE thread_id = $1 ORDER BY seq DESC LIMIT 1";

/** Chains drafts after the thread's last row and inserts them (caller holds the audit lock). */
async function insertChained(tx: Db, threadId: string, last: { seq: number; hash: string } | undefined, drafts: Draft[]): Promise<AuditRow[]> {
  let seq = Number(last?.seq ?? 0);
  let prev = last?.hash ?? GENESIS_HASH;
  const rows: AuditRow[] = drafts.map((d) => {
    seq += 1;
    const base = { ...d, thread_id: threadId, seq, prev_hash: prev };
    const row = { ...base, hash: rowHash(base) };
    prev = row.hash;
    return row;
  });
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    const cells = COLUMNS.map((c) => {
      params.push(c === "decision" ? JSON.stringify(r.decision) : r[c]);
      return `$${params.length}`;
    });
    return `(${cells.join(", ")})`;
  });
  await tx.query(`INSERT INTO audit_log (${COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`, params);
  return rows;
}

/** Appends rows to a thread's chain atomically (one transaction, serialised per thread). */
export async function appendAudit(db: Db, threadId: string, drafts: Draft[]): Promise<AuditRow[]> {
  if (!drafts.length) return [];
  return db.transaction(async (tx) => {
    await tx.query(`SELECT ${AUDIT_LOCK_SQL}`, [threadId]);
    const { rows: last } = await tx.query<{ seq: number; hash: string }>(LAST_AUDIT_SQL, [threadId]);
    return insertChained(tx, threadId, last[0], drafts);
  });
}

/**
 * The end of a turn in one transaction of five statements: both per-thread locks, one read (the
 * audit chain's head, whether this run's trace exists, the next trace turn and message offset),
 * the audit rows, the trace with its assets. Before, the audit append and the trace write were two
 * transactions of ~14 sequential statements. The trace never costs the audit: if building or
 * writing it fails, the audit rows are appended on their own and the error is reported.
 */
export async function appendAuditAndTrace(
  db: Db,
  threadId: string,
  drafts: Draft[],
  buildTrace: (messageOffset: number) => PreparedTrace | undefined,
  runId: string | undefined,
  onTraceError: (err: Error) => void,
): Promise<void> {
  let traceError: Error | undefined;
  try {
    await db.transaction(async (tx) => {
      await tx.query(`SELECT ${AUDIT_LOCK_SQL}, ${TRACE_LOCK_SQL.replace("$1", "$1::text")}`, [threadId]);
      const { rows } = await tx.query<{ seq: number | null; hash: string | null; existing: string | null; next_turn: number; offset: number | null }>(
        `SELECT a.seq, a.hash,
                (SELECT trace_id FROM turn_traces WHERE run_id = $2) AS existing,
                (SELECT COALESCE(MAX(turn) + 1, 0) FROM turn_traces WHERE thread_id = $1) AS next_turn,
                (${NEXT_MESSAGE_OFFSET_SQL}) AS "offset"
           FROM (SELECT 1) one LEFT JOIN LATERAL (${LAST_AUDIT_SQL}) a ON true`,
        [threadId, runId ?? null],
      );
      const r = rows[0]!;
      if (drafts.length) await insertChained(tx, threadId, r.seq === null ? undefined : { seq: r.seq, hash: r.hash! }, drafts);
      if (r.existing) return;
      let prepared: PreparedTrace | undefined;
      try {
        prepared = buildTrace(r.offset ?? 0);
      } catch (err) {
        traceError = err as Error;
      }
      if (prepared) await insertPreparedTrace(tx, prepared, prepared.trace.turn ?? r.next_turn);
    });
  } catch (err) {
    // The trace's insert failed (or the database did): keep the audit whole on its own.
    await appendAudit(db, threadId, drafts);
    traceError = err as Error;
  }
  if (traceError) onTraceError(traceError);
}

export interface VerifyResult {
  threads: number;
  rows: number;
  broken: { thread_id: string; seq: number; problem: string }[];
}

/** Recomputes every chain (or one thread's): each row's prev_hash and hash must match. */
export async function verifyAudit(db: Db, opts: { threadId?: string; onProgress?: (rows: number) => void } = {}): Promise<VerifyResult> {
  const result: VerifyResult = { threads: 0, rows: 0, broken: [] };
  const pageSize = 5000;
  let after: { thread_id: string; seq: number } = { thread_id: "", seq: 0 };
  let current = "";
  let prev = GENESIS_HASH;
  let expectSeq = 1;
  let thread_broken = false;
  for (;;) {
    const { rows } = await db.query<AuditRow & { at: Date }>(
      `SELECT * FROM audit_log WHERE ($1::text IS NULL OR thread_id = $1) AND (thread_id, seq) > ($2, $3)
        ORDER BY thread_id, seq LIMIT ${pageSize}`,
      [opts.threadId ?? null, after.thread_id, after.seq],
    );
    if (!rows.length) break;
    for (const r of rows) {
      if (r.thread_id !== current) {
        current = r.thread_id;
        prev = GENESIS_HASH;
        expectSeq = 1;
        thread_broken = false;
        result.threads++;
      }
      result.rows++;
      if (thread_broken) continue;
      const { hash: stored, ...rest } = r;
      const row = { ...rest, seq: Number(r.seq), at: r.at.toISOString(), hash: stored };
      const problem =
        row.seq !== expectSeq
          ? `missing row(s) before seq ${row.seq}`
          : row.prev_hash !== prev
            ? "prev_hash does not match the previous row"
            : rowHash({ ...rest, seq: row.seq, at: row.at }) !== stored
              ? "row content does not match its hash"
              : undefined;
      if (problem) {
        result.broken.push({ thread_id: row.thread_id, seq: row.seq, problem });
        thread_broken = true;
      }
      prev = row.hash;
      expectSeq = row.seq + 1;
    }
    after = { thread_id: rows.at(-1)!.thread_id, seq: Number(rows.at(-1)!.seq) };
    opts.onProgress?.(result.rows);
  }
  return result;
}

export function createAuditNode(db: Db) {
  return async function audit(state: AisleStateValue, config: LangGraphRunnableConfig): Promise<AisleUpdate> {
    const { thread_id } = ensureConfiguration(config);
    const rows = turnRows(state);
    // The turn's full trajectory goes to the trace store (training data); never fails the turn.
    const runId = (config.configurable as { run_id?: unknown } | undefined)?.run_id;
    if (!thread_id || process.env.AISLE_TRACES === "off") {
      // Runs without a thread (e.g. a one-off invoke with no checkpointer) are logged under "-".
      await appendAudit(db, thread_id ?? "-", rows);
      return {};
    }
    const run_id = typeof runId === "string" ? runId : undefined;
    await appendAuditAndTrace(
      db,
      thread_id,
      rows,
      (offset) => {
        const t = traceFromState(state, { thread_id, run_id, message_offset: offset });
        return t ? prepareTurnTrace(t) : undefined;
      },
      run_id,
      reportTraceError,
    );
    return {};
  };
}
