import { afterAll, beforeAll, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { pruneRunEvents } from "../server/retention.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** A run on a fresh thread with `events` stream events; `endedDaysAgo` null leaves it running. */
async function runWithEvents(status: string, endedDaysAgo: number | null, events: number): Promise<string> {
  const threadId = randomUUID();
  const runId = randomUUID();
  await db.pool.query("INSERT INTO threads (thread_id, owner) VALUES ($1, 'test')", [threadId]);
  await db.pool.query(
    `INSERT INTO runs (run_id, thread_id, assistant_id, created_by, caller, status, multitask_strategy, kwargs, created_at, ended_at)
     VALUES ($1, $2, 'aisle', 'test', '{}', $3, 'enqueue', '{}', now() - interval '30 days',
             CASE WHEN $4::double precision IS NULL THEN NULL ELSE now() - $4::double precision * interval '1 day' END)`,
    [runId, threadId, status, endedDaysAgo],
  );
  for (let seq = 1; seq <= events; seq++) {
    await db.pool.query("INSERT INTO run_events (run_id, seq, event, data) VALUES ($1, $2, 'values', '{}')", [runId, seq]);
  }
  return runId;
}

const eventsOf = async (runId: string) =>
  (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM run_events WHERE run_id = $1", [runId])).rows[0]!.n;

test("deletes only the stream events of runs that ended before the cut-off; runs themselves stay", async () => {
  const old = await runWithEvents("success", 10, 3);
  const oldError = await runWithEvents("error", 8, 2);
  const recent = await runWithEvents("success", 1, 4);
  const stillRunning = await runWithEvents("running", null, 5);

  const dry = await pruneRunEvents(db.pool, { olderThanDays: 7, dryRun: true });
  expect(dry).toMatchObject({ runs: 2, events: 5 });
  expect(await eventsOf(old)).toBe(3);

  const done = await pruneRunEvents(db.pool, { olderThanDays: 7 });
  expect(done).toEqual({ runs: 2, events: 5 });
  expect(await eventsOf(old)).toBe(0);
  expect(await eventsOf(oldError)).toBe(0);
  expect(await eventsOf(recent)).toBe(4);
  expect(await eventsOf(stillRunning)).toBe(5);
  const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM runs WHERE run_id = ANY($1::uuid[])", [[old, oldError, recent, stillRunning]]);
  expect(rows[0].n).toBe(4);
  expect(await pruneRunEvents(db.pool, { olderThanDays: 7 })).toEqual({ runs: 0, events: 0 });
});

test("aisle db prune reports events and rejects a bad --events-days", () => {
  const aisle = (args: string[]) =>
    spawnSync("npx", ["tsx", "cli/aisle.ts", ...args], { encoding: "utf8", env: { ...process.env, DATABASE_URL: db.url }, timeout: 60_000 });
  const bad = aisle(["db", "prune", "--events-days", "-1"]);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/--events-days must be a number ≥ 0/);
  const ok = aisle(["db", "prune", "--dry-run", "--events-days", "0"]);
  expect(ok.status).toBe(0);
  expect(ok.stderr + ok.stdout).toMatch(/Would delete \d+ stream event\(s\) of \d+ run\(s\)/);
});
