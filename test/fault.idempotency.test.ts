import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { createAisleRuntime, DURABILITY, type AisleRuntime } from "../graphs/runtime.ts";
import { Conversation } from "./support/graphConversation.ts";
import { poolDb } from "../db/executor.ts";
import { createRetailTools, runTool } from "../tools/index.ts";
import { runOnce } from "../tools/idempotency.ts";

/**
 * A crash between a write tool's COMMIT and the checkpoint that records its result makes LangGraph
 * re-run the tools step from the previous checkpoint. Here that replay is produced exactly as the
 * recovery path does it — `invoke(null)` from the checkpoint whose next step is `tools` — and the
 * write must not happen twice: the replayed ToolMessage carries the original result, and the order
 * and its payments are as one execution left them.
 */

let db: TestDatabase;
let rt: AisleRuntime;
beforeAll(async () => {
  db = await createTestDatabase();
  rt = await createAisleRuntime({ pool: db.pool, llm: null });
});
afterAll(async () => {
  await rt?.close();
  await db?.drop();
});

const order = async (id: string) => JSON.parse(await runTool(poolDb(db.pool), "get_order_details", { order_id: id }));
/** Results of executed calls of `name` (governance's "Not done: awaiting confirmation" answers excluded). */
const toolMessages = (messages: BaseMessage[], name: string) =>
  messages.filter((m) => ToolMessage.isInstance(m) && m.name === name && !String(m.content).startsWith("Not done")) as ToolMessage[];

/** Replays the thread's step that executed `tool` (from the checkpoint just before it). */
async function replayToolStep(c: Conversation, tool: string) {
  for await (const snap of rt.graph.getStateHistory({ configurable: { thread_id: c.threadId } })) {
    const last = (snap.values as { messages: BaseMessage[] }).messages.at(-1);
    if (snap.next.includes("tools") && last && AIMessage.isInstance(last) && last.tool_calls?.some((t) => t.name === tool)) {
      const out = await rt.graph.invoke(null, { ...snap.config, configurable: { ...snap.config.configurable, caller: c.caller }, durability: DURABILITY });
      return out as { messages: BaseMessage[] };
    }
  }
  throw new Error(`no checkpoint before a ${tool} step`);
}

describe("write tools carry idempotency keys", () => {
  test("a replayed cancel step returns the original result and cancels once", async () => {
    const c = new Conversation(rt);
    await c.say("Please cancel #W4862767, I no longer need it. My email is sophia.thomas1364@example.com");
    expect(await c.say("yes")).toMatch(/cancelled/);
    const first = toolMessages(c.state!.messages, "cancel_pending_order");
    expect(first).toHaveLength(1);
    expect(String(first[0]!.content)).not.toMatch(/^Error/);
    const before = await order("#W4862767");
    expect(before.status).toBe("cancelled");

    const replayed = toolMessages((await replayToolStep(c, "cancel_pending_order")).messages, "cancel_pending_order");
    // Without a key the second run would read "Error: non-pending order cannot be cancelled".
    expect(replayed.at(-1)!.content).toEqual(first[0]!.content);
    expect(await order("#W4862767")).toEqual(before);
    const { rows } = await db.pool.query("SELECT tool, thread_id FROM tool_write_keys WHERE thread_id = $1", [c.threadId]);
    expect(rows).toEqual([{ tool: "cancel_pending_order", thread_id: c.threadId }]);
  });

  test("concurrent executions of one key write once; each sees the same result", async () => {
    const d = poolDb(db.pool);
    const call = { threadId: "t-concurrent", toolCallId: "call_1", name: "cancel_pending_order", args: { order_id: "#W9929926", reason: "no longer needed" } };
    const before = await order("#W9929926");
    expect(before.status).toBe("pending");
    const outs = await Promise.all([1, 2, 3, 4].map(() => runOnce(d, createRetailTools, call)));
    expect(new Set(outs.map((o) => o.content)).size).toBe(1);
    expect(outs.filter((o) => !o.replayed)).toHaveLength(1);
    expect(outs[0]!.content).not.toMatch(/^Error/);
    const after = await order("#W9929926");
    expect(after.status).toBe("cancelled");
    expect(after.payment_history.length).toBe(before.payment_history.length * 2);
  });

  test("a failed write leaves no key, so a retry can still succeed", async () => {
    const d = poolDb(db.pool);
    const call = { threadId: "t-fail", toolCallId: "call_x", name: "cancel_pending_order", args: { order_id: "#W9929926" } };
    await expect(runOnce(d, () => ({ cancel_pending_order: { invoke: async () => { throw new Error("database went away"); } } as never }), call)).rejects.toThrow(/went away/);
    const { rows } = await db.pool.query("SELECT 1 FROM tool_write_keys WHERE thread_id = 't-fail'");
    expect(rows).toHaveLength(0);
  });
});
