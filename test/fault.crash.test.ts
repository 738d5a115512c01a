import { afterEach, describe, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { cancelScript, pickShoppers, sdk, spawnServer, text, type ServerProcess, type Shopper, type ThreadValues } from "./support/retailLoad.ts";
import { poolDb } from "../db/executor.ts";
import { runTool } from "../tools/index.ts";

/**
 * kill -9 of `aisle serve` in the middle of a load of multi-turn conversations that end in a write
 * (authenticate, name the order, reason, listed action, "yes" → cancel), then a restart on the same
 * database. What a client relies on:
 *  - every turn the server acknowledged (runs/wait returned) is in its thread, in order;
 *  - every conversation continues on the restarted server (the turn in flight at the crash was
 *    either recovered by the server or is simply sent again) and ends with its order cancelled;
 *  - no cancellation is applied twice: one refund per payment, one successful cancel result and one
 *    idempotency key per thread, no error results from a replayed write.
 * Bounded: 16 conversations × 5 turns; the kill comes after 30 acknowledged turns.
 */

const CONVERSATIONS = 16;
const KILL_AFTER_ACKS = 30;

let db: TestDatabase;
let shoppers: Shopper[];
let first: ServerProcess | undefined;
let second: ServerProcess | undefined;

afterEach(async () => {
  await first?.kill9();
  await second?.stop();
  first = second = undefined;
  if (process.env.AISLE_DEBUG_FAULT) console.log("kept database", db?.url);
  else await db?.drop();
});

interface Convo {
  shopper: Shopper;
  threadId: string;
  script: string[];
  acked: { message: string; reply: string }[];
  /** Index of the turn whose request failed when the server died, if any. */
  lost?: number;
}

const humanTexts = (v: ThreadValues) => v.messages.filter((m) => m.type === "human").map(text);
const aiTexts = (v: ThreadValues) => v.messages.filter((m) => m.type === "ai").map(text);

// "sync" is the default; "adaptive" checkpoints only at the end of turns that cannot act, so a
// crash re-runs those from their input — the same guarantees must hold.
describe.each(["sync", "adaptive"])("kill -9 during load (AISLE_DURABILITY=%s)", (durability) => {
  test("acknowledged turns survive, every thread continues, no write is applied twice", async () => {
    db = await createTestDatabase({ poolMax: 3 });
    shoppers = await pickShoppers(db.pool, CONVERSATIONS);
    const env = { AISLE_DURABILITY: durability };
    first = await spawnServer({ databaseUrl: db.url, env });
    const convos: Convo[] = [];
    for (const s of shoppers) {
      const t = await sdk(first.url, s.key).threads.create();
      convos.push({ shopper: s, threadId: t.thread_id, script: cancelScript(s), acked: [] });
    }

    // Phase 1: load, then SIGKILL once enough turns were acknowledged (others are in flight).
    let acks = 0;
    let killed: Promise<void> | undefined;
    const server1 = first;
    await Promise.all(
      convos.map(async (c) => {
        const client = sdk(server1.url, c.shopper.key);
        for (let i = 0; i < c.script.length; i++) {
          try {
            const out = (await client.runs.wait(c.threadId, "aisle", { input: { messages: [{ role: "user", content: c.script[i] }] } })) as ThreadValues;
            c.acked.push({ message: c.script[i]!, reply: out.reply ?? "" });
            if (++acks === KILL_AFTER_ACKS) killed = server1.kill9();
          } catch {
            c.lost = i;
            return;
          }
          if (killed) {
            // Stop sending to a dead server; the next turn goes to the restarted one.
            return;
          }
        }
      }),
    );
    await killed;
    expect(acks).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(convos.some((c) => c.acked.length < c.script.length)).toBe(true);

    // Phase 2: restart on the same database; let recovered runs finish; check and continue.
    second = await spawnServer({ databaseUrl: db.url, env });
    const server2 = second;
    await Promise.all(
      convos.map(async (c) => {
        const client = sdk(server2.url, c.shopper.key);
        const runs = await client.runs.list(c.threadId, { limit: 20 });
        for (const run of runs) {
          if (run.status === "pending" || run.status === "running") await client.runs.join(c.threadId, run.run_id);
        }
        const state = (await client.threads.getState<ThreadValues>(c.threadId)).values;
        const humans = humanTexts(state);
        if (process.env.AISLE_DEBUG_FAULT) console.log(JSON.stringify({ acked: c.acked.length, lost: c.lost, humans, runs: runs.map((r) => [r.status, r.created_at]), after: (await client.runs.list(c.threadId, { limit: 20 })).map((r) => [r.status, (r as unknown as { kwargs?: { input?: { messages?: { content: string }[] } } }).kwargs?.input?.messages?.[0]?.content]) }));
        // Every acknowledged turn is there, in order, with the reply the client got.
        expect(humans.slice(0, c.acked.length)).toEqual(c.acked.map((a) => a.message));
        const replies = aiTexts(state);
        for (const a of c.acked) if (a.reply) expect(replies).toContain(a.reply);
        // At most the one turn in flight at the crash was recovered beyond what was acknowledged.
        expect(humans.length - c.acked.length).toBeLessThanOrEqual(1);

        let last: ThreadValues = state;
        for (let i = humans.length; i < c.script.length; i++) {
          last = (await client.runs.wait(c.threadId, "aisle", { input: { messages: [{ role: "user", content: c.script[i] }] } })) as ThreadValues;
        }
        const final = (await client.threads.getState<ThreadValues>(c.threadId)).values;
        expect(humanTexts(final)).toEqual(c.script);
        expect(last.messages.length).toBeGreaterThan(0);
      }),
    );

    // Phase 3: the database holds exactly one cancellation per conversation.
    const d = poolDb(db.pool);
    for (const c of convos) {
      const order = JSON.parse(await runTool(d, "get_order_details", { order_id: c.shopper.order_id }));
      expect(order.status, c.shopper.order_id).toBe("cancelled");
      const payments = order.payment_history.filter((p: { transaction_type: string }) => p.transaction_type === "payment").length;
      const refunds = order.payment_history.filter((p: { transaction_type: string }) => p.transaction_type === "refund").length;
      expect(refunds, `${c.shopper.order_id} refunds`).toBe(payments);

      const values = (await sdk(server2.url, c.shopper.key).threads.getState<ThreadValues>(c.threadId)).values;
      const cancels = values.messages.filter((m) => m.type === "tool" && m.name === "cancel_pending_order" && !text(m).startsWith("Not done"));
      expect(cancels.map((m) => text(m).startsWith("Error"))).toEqual([false]);
    }
    const keys = await db.pool.query<{ thread_id: string; n: number }>(
      "SELECT thread_id, count(*)::int AS n FROM tool_write_keys WHERE tool = 'cancel_pending_order' GROUP BY thread_id",
    );
    expect(keys.rows.map((r) => r.n)).toEqual(convos.map(() => 1));
    const stuck = await db.pool.query("SELECT run_id, status FROM runs WHERE status IN ('pending', 'running', 'error')");
    expect(stuck.rows).toEqual([]);
  }, 240_000);
});
