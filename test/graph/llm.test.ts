import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fakeOpenAI.ts";
import { createAisleRuntime, type AisleRuntime } from "../../graphs/runtime.ts";
import { Conversation } from "../support/graphConversation.ts";
import { poolDb } from "../../db/executor.ts";
import { runTool } from "../../tools/index.ts";

/**
 * The LLM tier through the real @langchain/openai client against a scripted OpenAI-compatible
 * server. The scripts play a careless model; the protocol must hold anyway (models propose, the
 * orchestration enforces).
 */

let db: TestDatabase;
let llm: FakeOpenAI;
let rt: AisleRuntime;
beforeAll(async () => {
  [db, llm] = await Promise.all([createTestDatabase(), startFakeOpenAI({ usage: { prompt_tokens: 1000, completion_tokens: 100 } })]);
  rt = await createAisleRuntime({
    pool: db.pool,
    llm: { apiKey: "test-key", baseURL: llm.baseURL, model: "fake-model", temperature: 0, timeoutMs: 5000, price: { input: 0.5, output: 1.5 } },
  });
});
afterAll(async () => {
  await rt?.close();
  await llm?.close();
  await db?.drop();
});

const status = async (id: string) => JSON.parse(await runTool(poolDb(db.pool), "get_order_details", { order_id: id })).status;

test("an LLM that acts before authentication is stopped, and sees why", async () => {
  llm.push({ tool_calls: [{ name: "cancel_pending_order", args: { order_id: "#W4566809", reason: "no longer needed" } }] }, (req) => {
    const toolResult = req.messages.find((m) => m.role === "tool");
    return { content: `Sure. (${String(toolResult?.content)})` };
  });
  const c = new Conversation(rt, { role: "customer" }, { force_tier: "llm" });
  const reply = await c.say("cancel #W4566809 now, I no longer need it");
  expect(c.verdicts[0]).toMatchObject({ verdict: "block", rule: "tool_call.auth.required", tool: "cancel_pending_order" });
  expect(reply).toMatch(/verify your identity/);
  expect(await status("#W4566809")).toBe("pending");
  // The model only ever saw its agent's tools, and the stitched context in its system prompt.
  const tools = llm.requests[0].tools?.map((t) => t.function.name) ?? [];
  expect(tools).toContain("cancel_pending_order");
  expect(tools).not.toContain("return_delivered_order_items");
  expect(String(llm.requests[0].messages[0].content)).toContain("<aisle-context>");
  // Cost and tokens are accounted for per node from the server's usage.
  const agent = c.state!.timings.filter((t) => t.node === "orders_agent");
  expect(agent.reduce((s, t) => s + t.tokens_in, 0)).toBe(2000);
  expect(agent.reduce((s, t) => s + t.cost_usd, 0)).toBeCloseTo(2 * (0.5 + 0.15), 6);
  expect(agent.every((t) => t.tier === "llm")).toBe(true);
});

test("an LLM that skips the confirmation gets the details listed by the graph, and acts only after yes", async () => {
  const cancel = { name: "cancel_pending_order", args: { order_id: "#W4862767", reason: "ordered by mistake" } };
  llm.push(
    { tool_calls: [{ name: "find_user_id_by_email", args: { email: "sophia.thomas1364@example.com" } }] },
    { tool_calls: [{ name: "get_user_details", args: { user_id: "sophia_thomas_5301" } }] },
    { tool_calls: [{ name: "get_order_details", args: { order_id: "#W4862767" } }] },
    { tool_calls: [cancel] },
  );
  const c = new Conversation(rt, { role: "customer" }, { force_tier: "llm" });
  const listing = await c.say("I'm sophia.thomas1364@example.com, cancel #W4862767, ordered by mistake");
  expect(listing).toMatch(/To confirm: I'll cancel order #W4862767 \(reason: ordered by mistake\)/);
  expect(await status("#W4862767")).toBe("pending");
  // On "yes" the model proposes a *different* action: it must be listed again, not executed.
  llm.push({ tool_calls: [{ name: "cancel_pending_order", args: { order_id: "#W4862767", reason: "no longer needed" } }] });
  const again = await c.say("yes");
  expect(again).toMatch(/reason: no longer needed/);
  expect(await status("#W4862767")).toBe("pending");
  llm.push({ tool_calls: [{ name: "cancel_pending_order", args: { order_id: "#W4862767", reason: "no longer needed" } }] }, { content: "Your order is cancelled." });
  const done = await c.say("yes");
  expect(done).toBe("Your order is cancelled.");
  expect(await status("#W4862767")).toBe("cancelled");
});

test("an LLM that reads another customer's order is refused before the tool runs", async () => {
  llm.push(
    { tool_calls: [{ name: "find_user_id_by_email", args: { email: "raj.sanchez2046@example.com" } }] },
    { tool_calls: [{ name: "get_user_details", args: { user_id: "raj_sanchez_2970" } }] },
    { tool_calls: [{ name: "get_order_details", args: { order_id: "#W5544629" } }] },
    (req) => ({ content: String(req.messages.at(-1)?.content) }),
  );
  const c = new Conversation(rt, { role: "customer" }, { force_tier: "llm" });
  const r = await c.say("raj.sanchez2046@example.com — what's in order #W5544629?");
  expect(r).toMatch(/can't find order #W5544629 on your account/);
  expect(JSON.stringify(llm.requests.at(-1)!.messages)).not.toMatch(/Bookshelf/);
});
