import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { poolDb } from "../db/executor.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { createAisleRuntime, DURABILITY, type AisleRuntime } from "../graphs/runtime.ts";
import type { AisleStateValue, VerdictRecord } from "../graphs/state.ts";
import { readThreadTraces } from "../traces/store.ts";
import { cleanTrajectory } from "../traces/fromState.ts";
import { exportTraces } from "../traces/export/exportTraces.ts";
import { validateOpenAiSftLine } from "../traces/export/validate.ts";
import type { TraceMessage } from "../traces/schema.ts";

let tdb: TestDatabase;
let runtime: AisleRuntime;

async function say(threadId: string, text: string, extra: Record<string, unknown> = {}) {
  return (await runtime.graph.invoke({ messages: [{ role: "user", content: text }] } as never, {
    configurable: { thread_id: threadId, caller: { role: "customer" }, ...extra },
    durability: DURABILITY,
  })) as AisleStateValue;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  runtime = await createAisleRuntime({ pool: tdb.pool, llm: null });
});
afterAll(async () => {
  await runtime?.close();
  await tdb?.drop();
});

describe("every turn through the graph is recorded in the trace store", () => {
  it("records each turn once, in order, with its messages, route, tools and timings", async () => {
    const thread = "hook-cancel";
    const script = ["I want to cancel order #W5918442", "my email is sofia.rossi2645@example.com", "no longer needed", "yes"];
    const replies: (string | null)[] = [];
    for (const [i, text] of script.entries()) replies.push((await say(thread, text, { run_id: `run-${i}` })).reply);
    const traces = await readThreadTraces(poolDb(tdb.pool), thread);
    if (process.env.AISLE_DEBUG_TRACES) console.log(JSON.stringify(traces.map((t) => [t.route?.intent, t.route?.agent, t.messages]), null, 1));
    expect(traces.map((t) => t.turn)).toEqual([0, 1, 2, 3]);
    expect(traces.map((t) => t.run_id)).toEqual(["run-0", "run-1", "run-2", "run-3"]);
    for (const [i, t] of traces.entries()) {
      // Each trace holds exactly its own turn: the user's message first, the reply the customer saw last.
      expect(t.messages[0]).toEqual({ role: "user", content: expect.stringContaining(script[i]!.replace(/sofia\.rossi2645@example\.com/, "").trim().split(" ")[0]!) });
      const last = t.messages.at(-1)!;
      expect(last.role).toBe("assistant");
      expect(last.role === "assistant" && last.content).toBe(replies[i]!.replace(/sofia\.rossi2645@example\.com/g, "s***@example.com"));
      expect(t.route?.intent).toBeTruthy();
      expect(t.route?.router_version).toBeTruthy();
      expect(t.tools.length).toBeGreaterThan(0);
      expect(t.timings.map((x) => x.node)).toEqual(expect.arrayContaining(["dataPrep", "router", `${t.route?.agent}_agent`, "governance"]));
      expect(t.context?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(t.policy?.version).toBeTruthy();
    }
    expect(traces[0]!.route?.intent).toBe("cancel_order");
    expect(traces[0]!.tools.map((x) => x.name)).toContain("cancel_pending_order");
    const calls = traces.flatMap((t) => t.messages.flatMap((m) => (m.role === "assistant" ? m.tool_calls.map((c) => c.name) : [])));
    expect(calls).toContain("find_user_id_by_email");
    expect(calls.filter((c) => c === "cancel_pending_order")).toHaveLength(1);
    // The cancel the model proposed before the customer's "yes" is withdrawn from the trajectory and
    // kept as the original of a confirm event (a preference pair), not trained on as a good step.
    const premature = traces.flatMap((t) => t.governance).find((g) => g.verdict === "confirm");
    expect(premature?.original?.tool_calls.map((c) => c.name)).toEqual(["cancel_pending_order"]);
    for (const t of traces.slice(0, 3)) expect(JSON.stringify(t.messages)).not.toContain("Not done yet");
    // The customer's email never reaches the store.
    const { rows } = await tdb.pool.query("SELECT trace::text AS raw FROM turn_traces WHERE thread_id = $1", [thread]);
    for (const r of rows) expect(r.raw).not.toContain("sofia.rossi2645@example.com");
  });

  it("exports real graph turns as valid OpenAI fine-tuning data", async () => {
    await say("hook-hello", "hi there!");
    await say("hook-stock", "do you have hiking boots in stock?");
    const out = join(mkdtempSync(join(tmpdir(), "aisle-hook-")), "real.jsonl");
    const { card } = await exportTraces(poolDb(tdb.pool), { format: "openai", out });
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBe(card.counts.examples);
    expect(card.counts.turns_selected).toBeGreaterThanOrEqual(6);
    for (const l of lines) expect(validateOpenAiSftLine(l)).toEqual([]);
    expect(Object.keys(card.counts.by_intent)).toEqual(expect.arrayContaining(["cancel_order", "greeting"]));
    const prefs = await exportTraces(poolDb(tdb.pool), { format: "openai-dpo", out: out.replace("real", "prefs") });
    // The cancel proposed before the customer's "yes" becomes one preference pair, named by the
    // governance rule that stopped it (details not listed yet, or no explicit yes).
    const confirmPairs = Object.entries(prefs.card.counts.by_origin as Record<string, number>).filter(([k]) => k.startsWith("confirm:tool_call.confirmation."));
    expect(confirmPairs.reduce((n, [, c]) => n + c, 0)).toBe(1);
  });
});

describe("cleaning a turn's trajectory for training", () => {
  const v = (over: Partial<VerdictRecord>): VerdictRecord => ({ turn: 1, stage: "tool_call", verdict: "allow", rule: "r", reason: "why", ...over });
  const user: TraceMessage = { role: "user", content: "cancel #W1 please" };

  it("takes a blocked or premature proposal out, keeping it as the original of the event", () => {
    const raw: TraceMessage[] = [
      user,
      { role: "assistant", content: "", tool_calls: [{ id: "c1", name: "cancel_pending_order", args: { order_id: "#W1", reason: "no longer needed" } }] },
      { role: "tool", tool_call_id: "c1", name: "cancel_pending_order", content: "Not done: awaiting confirmation" },
      { role: "assistant", content: "To confirm: I'll cancel #W1. Shall I go ahead? (yes/no)", tool_calls: [] },
    ];
    const { messages, governance } = cleanTrajectory(raw, [v({ verdict: "confirm", tool_call_id: "c1", tool: "cancel_pending_order", rule: "protocol.confirmation" })]);
    expect(messages).toEqual([user, raw[3]]);
    expect(governance).toEqual([expect.objectContaining({ verdict: "confirm", at: 1, original: raw[1] })]);
  });

  it("keeps a fixed call with the arguments that ran, and the reply a rail rewrote with its original", () => {
    const raw: TraceMessage[] = [
      user,
      { role: "assistant", content: "", tool_calls: [{ id: "c1", name: "apply_discount", args: { percent: 40 } }] },
      { role: "tool", tool_call_id: "c1", name: "apply_discount", content: "applied 15%" },
      { role: "assistant", content: "I applied 15% off.", tool_calls: [] },
    ];
    const { messages, governance } = cleanTrajectory(raw, [
      v({ verdict: "fix", tool_call_id: "c1", tool: "apply_discount", fixed_args: { percent: 15 } }),
      v({ stage: "output", verdict: "fix", rule: "discount.cap", args: { text: "I applied 40% off." } }),
    ]);
    expect(messages[1]).toEqual({ role: "assistant", content: "", tool_calls: [{ id: "c1", name: "apply_discount", args: { percent: 15 } }] });
    expect(governance[0]).toMatchObject({ verdict: "fix", at: 1, original: raw[1] });
    expect(governance[1]).toMatchObject({ stage: "output", verdict: "fix", at: 3, original: { content: "I applied 40% off." } });
  });
});
