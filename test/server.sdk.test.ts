import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startServerHarness, type ServerHarness } from "./support/serverHarness.ts";

let h: ServerHarness;
beforeAll(async () => {
  h = await startServerHarness();
});
afterAll(async () => {
  await h?.close();
});

const userInput = (content: string) => ({ messages: [{ role: "user", content }] });
type Msg = { type: string; content: string };

describe("LangGraph SDK compatibility", () => {
  it("creates a thread and streams a run token by token", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create({ metadata: { channel: "app" } });
    expect(thread.thread_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(thread.status).toBe("idle");
    expect(thread.metadata).toMatchObject({ channel: "app" });

    let created: { run_id: string; thread_id?: string } | undefined;
    const parts = await collect(
      client.runs.stream(thread.thread_id, "aisle", {
        input: userInput("hello there"),
        streamMode: ["messages-tuple", "values", "updates", "custom"],
        onRunCreated: (m) => (created = m),
      }),
    );
    expect(parts[0]!.event).toBe("metadata");
    const runId = (parts[0]!.data as { run_id: string }).run_id;
    expect(created?.run_id).toBe(runId);
    expect(created?.thread_id).toBe(thread.thread_id);
    const tokens = parts.filter((p) => p.event === "messages").map((p) => (p.data as [Msg, unknown])[0].content);
    // The reply arrives as many small chunks that concatenate to the full text.
    expect(tokens.length).toBeGreaterThan(5);
    expect(tokens.join("")).toBe("You said hello there");
    expect(parts.some((p) => p.event === "custom" && (p.data as { progress?: string }).progress === "responding")).toBe(true);
    expect(parts.some((p) => p.event === "updates" && "respond" in (p.data as object))).toBe(true);
    const lastValues = parts.filter((p) => p.event === "values").at(-1)!.data as { messages: Msg[] };
    expect(lastValues.messages.map((m) => [m.type, m.content])).toEqual([
      ["human", "hello there"],
      ["ai", "You said hello there"],
    ]);

    const run = await client.runs.get(thread.thread_id, runId);
    expect(run.status).toBe("success");
    const after = await client.threads.get(thread.thread_id);
    expect(after.status).toBe("idle");
    expect((after.values as { messages: Msg[] }).messages).toHaveLength(2);
  });

  it("reads state and history, and reads state at an earlier checkpoint", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    // "exit" keeps one checkpoint for the turn; "sync" keeps every step.
    await client.runs.wait(thread.thread_id, "aisle", { input: userInput("first"), durability: "exit" });
    const result = (await client.runs.wait(thread.thread_id, "aisle", { input: userInput("second"), durability: "sync" })) as { messages: Msg[] };
    expect(result.messages.map((m) => m.content)).toEqual(["first", "You said first", "second", "You said second"]);

    const state = await client.threads.getState<{ messages: Msg[] }>(thread.thread_id);
    expect(state.values.messages).toHaveLength(4);
    expect(state.next).toEqual([]);
    expect(state.checkpoint.checkpoint_id).toBeTruthy();
    expect(state.parent_checkpoint?.checkpoint_id).toBeTruthy();

    const history = await client.threads.getHistory<{ messages: Msg[] }>(thread.thread_id, { limit: 50 });
    // Newest first: the second turn step by step, then the first turn's one checkpoint.
    expect(history[0]!.checkpoint.checkpoint_id).toBe(state.checkpoint.checkpoint_id);
    expect(history.filter((s) => s.values.messages?.length === 2 && s.next.length === 0)).toHaveLength(1);
    expect(history.filter((s) => (s.values.messages?.length ?? 0) >= 3).length).toBeGreaterThanOrEqual(2);
    const afterFirstTurn = history.find((s) => s.values.messages?.length === 2 && s.next.length === 0)!;
    const past = await client.threads.getState<{ messages: Msg[] }>(thread.thread_id, afterFirstTurn.checkpoint.checkpoint_id!);
    expect(past.values.messages.map((m) => m.content)).toEqual(["first", "You said first"]);
  });

  it("runs in the background, joins, lists and re-attaches to a finished run's stream", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "aisle", { input: userInput("background"), streamMode: ["values", "messages-tuple"] });
    expect(["pending", "running"]).toContain(run.status);
    const joined = (await client.runs.join(thread.thread_id, run.run_id)) as { messages: Msg[] };
    expect(joined.messages.at(-1)!.content).toBe("You said background");
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("success");
    expect((await client.runs.list(thread.thread_id)).map((r) => r.run_id)).toContain(run.run_id);

    const replay = await collect(client.runs.joinStream(thread.thread_id, run.run_id));
    expect(replay[0]!.event).toBe("metadata");
    expect(replay.filter((p) => p.event === "messages").map((p) => (p.data as [Msg])[0].content).join("")).toBe("You said background");
    // Last-Event-ID: only what came after that event is sent again.
    const ids = replay.map((p) => Number(p.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const from = ids[Math.floor(ids.length / 2)]!;
    const rest = await collect(client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: String(from) }));
    expect(rest.map((p) => Number(p.id))).toEqual(ids.filter((i) => i > from));
  });

  it("re-attaches to a live run mid-stream", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "aisle", { input: userInput("slow one"), streamMode: ["values", "custom"] });
    const parts = await collect(client.runs.joinStream(thread.thread_id, run.run_id));
    expect(parts[0]).toMatchObject({ event: "metadata", data: { run_id: run.run_id } });
    expect(parts.some((p) => p.event === "custom")).toBe(true);
    const last = parts.filter((p) => p.event === "values").at(-1)!.data as { messages: Msg[] };
    expect(last.messages.at(-1)!.content).toBe("You said slow one");
  });

  it("cancels a running run and leaves the thread usable", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "aisle", { input: userInput("slow please") });
    await new Promise((r) => setTimeout(r, 300));
    await client.runs.cancel(thread.thread_id, run.run_id, true);
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("interrupted");
    const next = (await client.runs.wait(thread.thread_id, "aisle", { input: userInput("again") })) as { messages: Msg[] };
    expect(next.messages.at(-1)!.content).toBe("You said again");
  });

  it("escalates: the run stops for a manager, a customer cannot resume, a manager can", async () => {
    const customer = h.client("customer");
    const manager = h.client("manager");
    const thread = await customer.threads.create();
    const parts = await collect(customer.runs.stream(thread.thread_id, "aisle", { input: userInput("I want a refund"), streamMode: ["updates"] }));
    const interrupt = parts.find((p) => p.event === "updates" && "__interrupt__" in (p.data as object));
    expect(interrupt).toBeTruthy();
    const waiting = await customer.threads.get(thread.thread_id);
    expect(waiting.status).toBe("interrupted");
    expect(Object.values(waiting.interrupts).flat()[0]).toMatchObject({ value: { kind: "escalation" } });

    await expect(customer.runs.wait(thread.thread_id, "aisle", { command: { resume: { approved: true } } })).rejects.toThrow(/403/);
    // Nor can the customer talk past the pending approval.
    await expect(customer.runs.wait(thread.thread_id, "aisle", { input: userInput("hello?") })).rejects.toThrow(/409/);

    const pending = await manager.threads.search({ status: "interrupted", limit: 100 });
    expect(pending.map((t) => t.thread_id)).toContain(thread.thread_id);
    const resumed = (await manager.runs.wait(thread.thread_id, "aisle", { command: { resume: { approved: true } } })) as { messages: Msg[]; caller_role: string };
    expect(resumed.messages.at(-1)!.content).toBe("Refund approved");
    // The graph saw the manager's identity from the key, not from anything the client sent.
    expect(resumed.caller_role).toBe("manager");
    expect((await customer.threads.get(thread.thread_id)).status).toBe("idle");
  });

  it("rejects a second run under multitask_strategy reject and queues it under enqueue", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    const first = await client.runs.create(thread.thread_id, "aisle", { input: userInput("slow first") });
    await expect(client.runs.create(thread.thread_id, "aisle", { input: userInput("x"), multitaskStrategy: "reject" })).rejects.toThrow(/409/);
    const second = await client.runs.create(thread.thread_id, "aisle", { input: userInput("queued"), multitaskStrategy: "enqueue" });
    const joined = (await client.runs.join(thread.thread_id, second.run_id)) as { messages: Msg[] };
    expect(joined.messages.map((m) => m.content)).toEqual(["slow first", "You said slow first", "queued", "You said queued"]);
    expect((await client.runs.get(thread.thread_id, first.run_id)).status).toBe("success");
  });

  it("interrupt strategy stops the running run; rollback also erases it", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    const first = await client.runs.create(thread.thread_id, "aisle", { input: userInput("slow and doomed") });
    await new Promise((r) => setTimeout(r, 300));
    const second = await client.runs.create(thread.thread_id, "aisle", { input: userInput("instead"), multitaskStrategy: "rollback" });
    const joined = (await client.runs.join(thread.thread_id, second.run_id)) as { messages: Msg[] };
    expect(joined.messages.map((m) => m.content)).toEqual(["instead", "You said instead"]);
    await expect(client.runs.get(thread.thread_id, first.run_id)).rejects.toThrow(/404/);

    const third = await client.runs.create(thread.thread_id, "aisle", { input: userInput("slow again") });
    await new Promise((r) => setTimeout(r, 300));
    const fourth = await client.runs.create(thread.thread_id, "aisle", { input: userInput("newer"), multitaskStrategy: "interrupt" });
    await client.runs.join(thread.thread_id, fourth.run_id);
    expect((await client.runs.get(thread.thread_id, third.run_id)).status).toBe("interrupted");
  });

  it("serves the assistant, its graph, /ok and /info", async () => {
    const client = h.client("customer");
    const [assistant] = await client.assistants.search({ graphId: "aisle" });
    expect(assistant!.graph_id).toBe("aisle");
    expect((await client.assistants.get(assistant!.assistant_id)).assistant_id).toBe(assistant!.assistant_id);
    const graph = await client.assistants.getGraph("aisle");
    expect(graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(["approve", "respond"]));
    expect(await (await fetch(`${h.url}/ok`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${h.url}/info`)).json()).toMatchObject({ name: "aisle" });
  });

  it("updates metadata, searches, and deletes threads", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create({ metadata: { topic: "returns" } });
    const patched = await client.threads.update(thread.thread_id, { metadata: { priority: "high" } });
    expect(patched.metadata).toMatchObject({ topic: "returns", priority: "high" });
    const found = await client.threads.search({ metadata: { priority: "high" } });
    expect(found.map((t) => t.thread_id)).toEqual([thread.thread_id]);
    await client.threads.delete(thread.thread_id);
    await expect(client.threads.get(thread.thread_id)).rejects.toThrow(/404/);
  });
});
