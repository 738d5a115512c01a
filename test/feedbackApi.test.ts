import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolDb } from "../db/executor.ts";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";
import { cancelThread } from "./support/traceFixtures.ts";
import { recordTurnTrace } from "../traces/store.ts";

let h: ServerHarness;
let threadId: string;

const post = (path: string, body: unknown, key: keyof ServerHarness["keys"] = "customer") =>
  h.fetch(path, { method: "POST", key, headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

beforeAll(async () => {
  h = await startServerHarness();
  const res = await post("/threads", {});
  threadId = (await res.json()).thread_id;
  for (const [i, t] of cancelThread(threadId).entries()) await recordTurnTrace(poolDb(h.db.pool), { ...t, run_id: `api-run-${i}` });
});
afterAll(async () => h?.close());

describe("POST /threads/:id/feedback", () => {
  it("stores a rating and a corrected intent on the caller's own thread, with the caller as author", async () => {
    const res = await post(`/threads/${threadId}/feedback`, { run_id: "api-run-0", rating: "down", corrected_intent: "order_status", label: "wanted status first" });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ thread_id: threadId, turn: 0, route_label: true });
    const { rows } = await h.db.pool.query("SELECT rating, corrected_intent, label, author FROM feedback WHERE thread_id = $1", [threadId]);
    expect(rows).toEqual([{ rating: "down", corrected_intent: "order_status", label: "wanted status first", author: expect.stringMatching(/^customer:/) }]);
    const labels = await h.db.pool.query("SELECT intent, source FROM route_labels WHERE thread_id = $1", [threadId]);
    expect(labels.rows).toEqual([{ intent: "order_status", source: "feedback" }]);
  });

  it("answers bad input with a 4xx JSON error naming the problem, and stores nothing", async () => {
    const before = (await h.db.pool.query("SELECT COUNT(*)::int AS n FROM feedback")).rows[0].n;
    const cases: [unknown, number, RegExp][] = [
      [{}, 400, /at least one of/],
      [{ rating: "sideways" }, 400, /rating/],
      [{ corrected_intent: "buy_a_boat" }, 400, /buy_a_boat/],
      [{ rating: "up", surprise: true }, 400, /surprise|Unrecognized/i],
      ["{not json", 400, /./],
      [{ run_id: "no-such-run", rating: "up" }, 404, /no-such-run/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(`/threads/${threadId}/feedback`, body);
      expect(res.status).toBe(status);
      const json = await res.json();
      expect(json.error).toBeTruthy();
      expect(json.message).toMatch(message);
    }
    expect((await post(`/threads/not-a-uuid/feedback`, { rating: "up" })).status).toBe(400);
    expect((await h.db.pool.query("SELECT COUNT(*)::int AS n FROM feedback")).rows[0].n).toBe(before);
  });

  it("applies the thread's object-level access: another customer cannot rate it; unauthenticated is 401", async () => {
    expect((await post(`/threads/${threadId}/feedback`, { rating: "up" }, "customer2")).status).toBe(404);
    const anon = await fetch(`${h.url}/threads/${threadId}/feedback`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(anon.status).toBe(401);
    // A manager (studio reviewer) may label any thread.
    expect((await post(`/threads/${threadId}/feedback`, { rating: "up" }, "manager")).status).toBe(201);
  });
});
