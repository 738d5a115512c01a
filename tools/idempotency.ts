import { createHash } from "node:crypto";
import type { Db } from "../db/executor.ts";
import type { AisleTool } from "./defineTool.ts";

/**
 * Exactly-once consequential tool calls. The graph checkpoints after each step, so a crash between
 * a tool's COMMIT and the checkpoint that records its result makes LangGraph re-run that step on
 * recovery. Each write therefore carries an idempotency key and runs in one transaction with the
 * insert of that key: the first execution writes and stores its result string; a replay of the same
 * step waits on (or finds) the key and returns the stored result without touching the data.
 *
 * The key is (thread, tool-call id). Tool-call ids are unique per proposal, and the model's
 * AIMessage is checkpointed before the tools step runs, so a replay sees the same id. The
 * checkpoint id is left out on purpose: a replay from a fork of an earlier checkpoint of the same
 * thread re-runs the same proposal against a database that already holds its effect, and must be
 * a no-op too.
 */
export function writeKey(threadId: string, toolCallId: string): string {
  return createHash("sha256").update(JSON.stringify([threadId, toolCallId])).digest("hex");
}

const digest = (args: unknown) => createHash("sha256").update(JSON.stringify(args ?? null)).digest("hex");

export interface IdempotentCall {
  threadId: string;
  toolCallId: string;
  name: string;
  args: Record<string, unknown>;
}

/**
 * Runs tool `call.name` with `call.args` at most once per key. `toolsOn(tx)` builds the tools on the
 * transaction so the tool's own writes commit (or roll back) together with the key. Returns the
 * tool's output string and whether it was a replay.
 */
export async function runOnce(
  db: Db,
  toolsOn: (tx: Db) => Record<string, AisleTool>,
  call: IdempotentCall,
): Promise<{ content: string; replayed: boolean }> {
  const key = writeKey(call.threadId, call.toolCallId);
  return db.transaction(async (tx) => {
    // Claim the key first: a concurrent replay of the same step blocks here until this commits.
    const claimed = await tx.query(
      `INSERT INTO tool_write_keys (idempotency_key, thread_id, tool_call_id, tool, args_digest, result)
       VALUES ($1, $2, $3, $4, $5, '') ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key`,
      [key, call.threadId, call.toolCallId, call.name, digest(call.args)],
    );
    if (!claimed.rowCount) {
      const { rows } = await tx.query<{ result: string }>("SELECT result FROM tool_write_keys WHERE idempotency_key = $1", [key]);
      return { content: rows[0]?.result ?? "", replayed: true };
    }
    const tool = toolsOn(tx)[call.name];
    const out = tool ? await tool.invoke(call.args) : `Error: unknown tool ${call.name}`;
    const content = typeof out === "string" ? out : String((out as { content?: unknown })?.content ?? JSON.stringify(out));
    await tx.query("UPDATE tool_write_keys SET result = $2 WHERE idempotency_key = $1", [key, content]);
    return { content, replayed: false };
  });
}
