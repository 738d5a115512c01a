import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAisleRuntime } from "../graphs/runtime.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { collect, startServerHarness, type ServerHarness } from "./support/serverHarness.ts";

type Msg = { type: string; content: string };
const userInput = (content: string) => ({ messages: [{ role: "user", content }] });

describe("two replicas on one database", () => {
  let db: TestDatabase;
  let a: ServerHarness;
  let b: ServerHarness;
  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 10 });
    a = await startServerHarness({ db });
    b = await startServerHarness({ db });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  it("continues one thread alternately on both and enforces multitask across them", async () => {
    const onA = a.client(a.keys.customer);
    const onB = b.client(a.keys.customer);
    const thread = await onA.threads.create();
    await onA.runs.wait(thread.thread_id, "aisle", { input: userInput("one") });
    await onB.runs.wait(thread.thread_id, "aisle", { input: userInput("two") });
    const state = await onA.threads.getState<{ messages: Msg[] }>(thread.thread_id);
    expect(state.values.messages.map((m) => m.content)).toEqual(["one", "You said one", "two", "You said two"]);

    const slow = await onA.runs.create(thread.thread_id, "aisle", { input: userInput("slow on a") });
    await expect(onB.runs.create(thread.thread_id, "aisle", { input: userInput("x"), multitaskStrategy: "reject" })).rejects.toThrow(/409/);
    const queued = await onB.runs.create(thread.thread_id, "aisle", { input: userInput("after"), multitaskStrategy: "enqueue" });
    // Re-attach on the other replica than the one executing the run.
    const parts = await collect(onB.runs.joinStream(thread.thread_id, slow.run_id));
    expect(parts[0]).toMatchObject({ event: "metadata", data: { run_id: slow.run_id } });
    const joined = (await onA.runs.join(thread.thread_id, queued.run_id)) as { messages: Msg[] };
    expect(joined.messages.slice(-4).map((m) => m.content)).toEqual(["slow on a", "You said slow on a", "after", "You said after"]);
  });

  it("a run cancelled on one replica stops on the other", async () => {
    const onA = a.client(a.keys.customer);
    const onB = b.client(a.keys.customer);
    const thread = await onA.threads.create();
    const run = await onA.runs.create(thread.thread_id, "aisle", { input: userInput("slow to cancel") });
    await new Promise((r) => setTimeout(r, 200));
    await onB.runs.cancel(thread.thread_id, run.run_id, true);
    expect((await onA.runs.get(thread.thread_id, run.run_id)).status).toBe("interrupted");
  });
});

describe("Aisle's own turn graph behind the server", () => {
  let h: ServerHarness;
  beforeAll(async () => {
    h = await startServerHarness({
      runtime: async (db) => ({ ...(await createAisleRuntime({ pool: db.pool, databaseUrl: db.url, llm: null })), reportsNodeEvents: true }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("streams a real turn and reports its route and per-node metrics", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    const parts = await collect(client.runs.stream(thread.thread_id, "aisle", { input: userInput("Where is my order #W2378156?"), streamMode: ["messages-tuple", "values"] }));
    const reply = parts.filter((p) => p.event === "messages").map((p) => (p.data as unknown as [Msg])[0].content).join("");
    const values = parts.filter((p) => p.event === "values").at(-1)!.data as { reply: string; route: { intent: string }; caller: { role: string; customer_id: string } };
    expect(reply.length).toBeGreaterThan(10);
    expect(values.reply).toBeTruthy();
    expect(values.route.intent).toBe("order_status");
    // The graph received the caller from the API key.
    expect(values.caller).toMatchObject({ role: "customer", customer_id: h.customers[0] });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/aisle_turns_total\{intent="order_status",tier="local"\} 1/);
    expect(metrics).toMatch(/aisle_node_duration_seconds_count\{node="router"\} 1/);
  });
});
