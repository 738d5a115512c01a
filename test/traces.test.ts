import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolDb, type Db } from "../db/executor.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { cancelThread, governedThread, ORDER_TOOLS } from "./support/traceFixtures.ts";
import { readThreadTraces, recordTurnTrace, nextMessageOffset } from "../traces/store.ts";
import { FeedbackError, recordFeedback } from "../traces/feedback.ts";
import { promoteConfirmedRoutes } from "../traces/labels.ts";

let tdb: TestDatabase;
let db: Db;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = poolDb(tdb.pool);
});
afterAll(async () => tdb?.drop());

const CARD = "4111 1111 1111 1111";

describe("trace store", () => {
  it("stores a thread's turns in order and reads back the full trajectory", async () => {
    const [t0, t1] = cancelThread("thread-roundtrip");
    await recordTurnTrace(db, { ...t0!, turn: undefined });
    await recordTurnTrace(db, { ...t1!, turn: undefined, message_offset: 6 });
    const back = await readThreadTraces(db, "thread-roundtrip");
    expect(back.map((t) => t.turn)).toEqual([0, 1]);
    expect(back[0]!.messages).toHaveLength(6);
    expect(back[0]!.messages[1]).toEqual({ role: "assistant", content: "", tool_calls: [{ id: "call_0", name: "find_user_id_by_email", args: { email: "m***@example.com" } }] });
    expect(back[0]!.tools.map((t) => t.name)).toEqual(ORDER_TOOLS.map((t) => t.name));
    // Tool schemas come back with their keys in the order the model saw them.
    expect(JSON.stringify(back[0]!.tools)).toBe(JSON.stringify(ORDER_TOOLS));
    expect(back[0]!.route).toMatchObject({ intent: "cancel_order", router_version: "router-2025-03-01" });
    expect(back[1]!.governance[0]).toMatchObject({ verdict: "allow", rule: "tool_call.confirmed" });
    expect(await nextMessageOffset(db, "thread-roundtrip")).toBe(10);
    // Tool schemas and the system prompt are stored once, whatever the number of turns.
    const { rows } = await tdb.pool.query("SELECT kind, COUNT(*)::int AS n FROM trace_assets GROUP BY kind ORDER BY kind");
    expect(rows).toEqual([{ kind: "system", n: 1 }, { kind: "tools", n: 1 }]);
  });

  it("never stores a pasted card number, and masks contact details unless told to keep them", async () => {
    const [t0] = cancelThread("thread-pii", { email: "pat.lee@example.org" });
    t0!.messages = [{ role: "user", content: `my card is ${CARD}, email pat.lee@example.org` }, ...t0!.messages.slice(1)];
    await recordTurnTrace(db, t0!);
    const kept = { ...t0!, thread_id: "thread-pii-kept" };
    await recordTurnTrace(db, kept, { mask: "secrets" });
    const { rows } = await tdb.pool.query<{ thread_id: string; raw: string }>(
      "SELECT thread_id, trace::text AS raw FROM turn_traces WHERE thread_id LIKE 'thread-pii%'",
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.raw).not.toContain("4111");
      expect(r.raw.replace(/\D/g, "")).not.toContain("4111111111111111");
      expect(r.raw).toContain("[card ****1111]");
    }
    expect(rows.find((r) => r.thread_id === "thread-pii")!.raw).not.toContain("pat.lee@example.org");
    expect(rows.find((r) => r.thread_id === "thread-pii-kept")!.raw).toContain("pat.lee@example.org");
  });

  it("records a run once even when the hook fires twice", async () => {
    const [t0] = cancelThread("thread-run");
    const a = await recordTurnTrace(db, { ...t0!, run_id: "run-1", turn: undefined });
    const b = await recordTurnTrace(db, { ...t0!, run_id: "run-1", turn: undefined });
    expect(b.trace_id).toBe(a.trace_id);
    const { rows } = await tdb.pool.query("SELECT COUNT(*)::int AS n FROM turn_traces WHERE thread_id = 'thread-run'");
    expect(rows[0].n).toBe(1);
  });

  it("assigns dense turn numbers under concurrent writers of one thread", async () => {
    const [t0] = cancelThread("thread-concurrent");
    await Promise.all(Array.from({ length: 6 }, () => recordTurnTrace(db, { ...t0!, turn: undefined })));
    const back = await readThreadTraces(db, "thread-concurrent");
    expect(back.map((t) => t.turn)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("rejects an invalid trace with a clear error and writes nothing", async () => {
    const [t0] = cancelThread("thread-invalid");
    await expect(recordTurnTrace(db, { ...t0!, messages: [] })).rejects.toThrow(/messages/);
    await expect(
      recordTurnTrace(db, { ...t0!, messages: [{ role: "robot", content: "x" } as never] }),
    ).rejects.toThrow();
    const { rows } = await tdb.pool.query("SELECT COUNT(*)::int AS n FROM turn_traces WHERE thread_id = 'thread-invalid'");
    expect(rows[0].n).toBe(0);
  });
});

describe("feedback", () => {
  beforeAll(async () => {
    for (const t of cancelThread("thread-fb")) await recordTurnTrace(db, { ...t, run_id: `fb-run-${t.turn}` });
    for (const t of governedThread("thread-gov")) await recordTurnTrace(db, t);
  });

  it("attaches to the named run's turn, or to the thread's latest turn", async () => {
    const a = await recordFeedback(db, "thread-fb", { run_id: "fb-run-0", rating: "down", label: "asked for the reason too late" }, "key:test");
    expect(a.turn).toBe(0);
    const b = await recordFeedback(db, "thread-fb", { rating: "up" }, "key:test");
    expect(b.turn).toBe(1);
    const { rows } = await tdb.pool.query("SELECT rating, label, author FROM feedback WHERE thread_id = 'thread-fb' ORDER BY id");
    expect(rows).toEqual([
      { rating: "down", label: "asked for the reason too late", author: "key:test" },
      { rating: "up", label: null, author: "key:test" },
    ]);
  });

  it("turns a corrected intent into a router training label with the turn's user message", async () => {
    const r = await recordFeedback(db, "thread-gov", { corrected_intent: "order_status" }, "studio:reviewer");
    expect(r.route_label).toBe(true);
    const { rows } = await tdb.pool.query("SELECT text, intent, source FROM route_labels WHERE thread_id = 'thread-gov'");
    expect(rows).toEqual([{ text: "what's the status of #W2378156?", intent: "order_status", source: "feedback" }]);
  });

  it("refuses feedback it cannot use, naming the problem, and stores nothing", async () => {
    const before = (await tdb.pool.query("SELECT COUNT(*)::int AS n FROM feedback")).rows[0].n;
    const fail = (thread: string, body: unknown) => recordFeedback(db, thread, body, "key:test").catch((e: FeedbackError) => e);
    const empty = await fail("thread-fb", {});
    expect(empty).toBeInstanceOf(FeedbackError);
    expect((empty as FeedbackError).status).toBe(400);
    const badIntent = (await fail("thread-fb", { corrected_intent: "buy_a_boat" })) as FeedbackError;
    expect([badIntent.status, badIntent.message]).toEqual([400, expect.stringContaining("buy_a_boat")]);
    expect(((await fail("thread-fb", { rating: "meh" })) as FeedbackError).status).toBe(400);
    expect(((await fail("thread-fb", { rating: "up", extra: 1 })) as FeedbackError).status).toBe(400);
    expect(((await fail("no-such-thread", { rating: "up" })) as FeedbackError).status).toBe(404);
    expect(((await fail("thread-fb", { run_id: "nope", rating: "up" })) as FeedbackError).status).toBe(404);
    expect((await tdb.pool.query("SELECT COUNT(*)::int AS n FROM feedback")).rows[0].n).toBe(before);
  });

  it("promotes settled, uncorrected routes to confirmed labels exactly once", async () => {
    const now = new Date("2030-01-01T00:00:00Z");
    await tdb.pool.query("DELETE FROM route_labels WHERE source = 'confirmed'");
    const added = await promoteConfirmedRoutes(db, { now });
    const { rows } = await tdb.pool.query<{ thread_id: string; intent: string }>(
      "SELECT thread_id, intent FROM route_labels WHERE source = 'confirmed' ORDER BY thread_id, id",
    );
    expect(added).toBe(rows.length);
    // thread-fb turn 0 was rated down and thread-gov turn 1 had its intent corrected: neither is offered.
    expect(rows.filter((r) => r.thread_id === "thread-fb")).toHaveLength(1);
    expect(rows.filter((r) => r.thread_id === "thread-gov")).toEqual([{ thread_id: "thread-gov", intent: "promotions" }]);
    expect(await promoteConfirmedRoutes(db, { now })).toBe(0);
    // Turns that ended within the settling window wait for feedback to arrive.
    const [fresh] = cancelThread("thread-fresh", { start: new Date() });
    await recordTurnTrace(db, fresh!);
    expect(await promoteConfirmedRoutes(db)).toBe(0);
  });
});

describe("trace identifiers", () => {
  it("are stored as given, never masked as personal data", async () => {
    const { prepareTurnTrace } = await import("../traces/store.ts");
    const { cancelThread } = await import("./support/traceFixtures.ts");
    const threadId = "thread-5551234567-4111111111111111";
    const prepared = prepareTurnTrace({ ...cancelThread(threadId)[0]!, run_id: "run-5551234567" });
    expect(prepared.trace.thread_id).toBe(threadId);
    expect(prepared.trace.run_id).toBe("run-5551234567");
  });
});
