import { afterAll, describe, expect, it } from "vitest";
import { ChatOpenAI } from "@langchain/openai";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { startFakeOpenAI, type ChatRequest, type FakeOpenAI } from "./support/fakeOpenAI.ts";
import { loadTasks } from "../evals/replay.ts";
import { runEpisode, STOP, summariseEpisodes, type EpisodeResult } from "../evals/tau/episode.ts";

// τ-bench dev task 0: Olivia Ito (zip 80218) wants pending order #W5442520 cancelled, "no longer needed".
const task = loadTasks(new URL("../data/tau-retail/tasks_dev.json", import.meta.url).pathname).find((t) => t.id === 0)!;

let agentLlm: FakeOpenAI;
let userLlm: FakeOpenAI;
const dbs: TestDatabase[] = [];
const fakes: FakeOpenAI[] = [];

const lastOf = (req: ChatRequest, role: string) => [...req.messages].reverse().find((m) => m.role === role);
const text = (m: { content: unknown } | undefined) => (typeof m?.content === "string" ? m.content : JSON.stringify(m?.content ?? ""));

/** A competent agent: authenticates by name + zip, reads the order, proposes the cancellation. */
function competentAgent(req: ChatRequest) {
  const all = JSON.stringify(req.messages);
  const status = (s: string) => new RegExp(`\\\\?"status\\\\?":\\s*\\\\?"${s}`).test(all);
  if (status("cancelled")) return { content: "Your order #W5442520 has been cancelled." };
  if (!all.includes("olivia_ito_3591")) return { tool_calls: [{ name: "find_user_id_by_name_zip", args: { first_name: "Olivia", last_name: "Ito", zip: "80218" } }] };
  if (!status("pending")) return { tool_calls: [{ name: "get_order_details", args: { order_id: "#W5442520" } }] };
  // Aisle's orchestration lists the details and waits for the customer's "yes" before it lets this run.
  return { tool_calls: [{ name: "cancel_pending_order", args: { order_id: "#W5442520", reason: "no longer needed" } }] };
}

/** The simulated customer, answering from the task's situation. */
function customer(req: ChatRequest) {
  const spoken = req.messages.filter((m) => m.role === "assistant").length;
  const agentSaid = text(lastOf(req, "user")).toLowerCase();
  if (agentSaid.includes("cancelled")) return { content: STOP };
  if (/yes\/no|confirm|shall i|go ahead/.test(agentSaid)) return { content: "yes" };
  if (spoken === 0) return { content: "Hi, I'm Olivia Ito, zip code 80218. I'd like to cancel order #W5442520, I no longer need it." };
  return { content: "I'm Olivia Ito, 80218, and I no longer need order #W5442520." };
}

async function episode(agent: (req: ChatRequest) => { content: string } | { tool_calls: { name: string; args: Record<string, unknown> }[] }): Promise<EpisodeResult> {
  const db = await createTestDatabase();
  dbs.push(db);
  // Fresh scripted servers per episode: one for Aisle's LLM tier, one for the user simulator.
  [agentLlm, userLlm] = await Promise.all([startFakeOpenAI(), startFakeOpenAI()]);
  fakes.push(agentLlm, userLlm);
  for (let i = 0; i < 60; i++) {
    agentLlm.push(agent);
    userLlm.push(customer);
  }
  return runEpisode({
    task,
    pool: db.pool,
    agent: { apiKey: "test", baseURL: agentLlm.baseURL, model: "fake-agent", temperature: 0, timeoutMs: 5000, price: { input: 0, output: 0 } },
    user: new ChatOpenAI({ apiKey: "test", model: "fake-user", configuration: { baseURL: userLlm.baseURL }, maxRetries: 0 }),
    maxTurns: 8,
  });
}

afterAll(async () => {
  await Promise.all([...fakes.map((f) => f.close()), ...dbs.map((d) => d.drop())]);
});

describe("τ-bench episodes (aisle eval tau)", () => {
  it("scores reward 1 when the conversation leaves the database as the task's actions do", async () => {
    const r = await episode(competentAgent);
    if (process.env.AISLE_DEBUG_TAU) console.log(JSON.stringify(r, null, 1));
    expect(r.error).toBeUndefined();
    expect(r.stopped_by_user).toBe(true);
    expect(r.db_diff).toEqual([]);
    expect(r.reward).toBe(1);
    expect(r.transcript.at(-1)).toEqual({ role: "agent", content: expect.stringContaining("cancelled") });
    // The agent ran on the LLM tier and the user simulator saw τ-bench's instructions with the task's situation.
    expect(agentLlm.requests.some((q) => q.model === "fake-agent" && q.tools?.some((t) => t.function.name === "cancel_pending_order"))).toBe(true);
    expect(text(userLlm.requests[0]!.messages[0])).toContain("Olivia Ito");
  });

  it("scores reward 0, naming the record, when the agent never completes the action", async () => {
    const r = await episode(() => ({ content: "Sorry, I can't help with that yet. Anything else? Please tell me more." }));
    expect(r.reward).toBe(0);
    expect(r.db_match).toBe(false);
    expect(r.db_diff).toEqual(["orders/#W5442520"]);
    expect(r.turns).toBe(8);
    expect(summariseEpisodes([r]).pass_1).toBe(0);
  });
});
