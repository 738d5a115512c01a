import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type pg from "pg";
import { TAU_DATA_DIR } from "../db/config.ts";
import { poolDb } from "../db/executor.ts";
import { differencesFromDataset, loadTasks, replayTasks, replayTasksConcurrently, type ReplayedTask } from "../evals/replay.ts";
import { compareTask, loadExpected } from "../evals/replayCompare.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

let tdb: TestDatabase;
let client: pg.PoolClient;
beforeAll(async () => {
  tdb = await createTestDatabase({ poolMax: 4 });
  client = await tdb.pool.connect();
});
afterAll(async () => {
  client?.release();
  await tdb?.drop();
});

describe("τ-bench conformance replay", () => {
  for (const split of ["train", "dev"] as const) {
    it(`replays every ${split} task to the reference outcome`, async () => {
      const tasks = loadTasks(join(TAU_DATA_DIR, `tasks_${split}.json`));
      const expected = loadExpected(join(TAU_DATA_DIR, `expected_${split}.json`));
      expect(tasks.length).toBe(split === "train" ? 500 : 20);
      // Train on two connections (the CLI's default), dev on one: both must give the reference outcomes.
      const results = split === "train" ? await replayTasksConcurrently(tdb.pool, tasks, { concurrency: 2 }) : await replayTasks(client, tasks);
      expect(results.map((r) => r.id)).toEqual(tasks.map((t) => t.id));
      const problems = results.flatMap((r) => compareTask(r, expected[String(r.id)]));
      expect(problems).toEqual([]);
      // Stronger than the README asks (it compares JSON by parsing): the strings are upstream's, byte for byte.
      const notIdentical = results.flatMap((r) =>
        r.outputs.filter((out, i) => out !== expected[String(r.id)].action_outputs[i]).map((out) => `task ${r.id}: ${out.slice(0, 120)}`),
      );
      expect(notIdentical).toEqual([]);
      expect(results.length).toBe(Object.keys(expected).length);
      // Rolled back: the database is still the pristine dataset.
      expect(await differencesFromDataset(poolDb(tdb.pool))).toEqual([]);
    }, 300_000);
  }

  it("reports a task whose outputs or records differ from the reference", async () => {
    const tasks = loadTasks(join(TAU_DATA_DIR, "tasks_dev.json")).slice(0, 1);
    const expected = loadExpected(join(TAU_DATA_DIR, "expected_dev.json"));
    const [result] = await replayTasks(client, tasks);
    expect(compareTask(result, expected[String(result.id)])).toEqual([]);

    const wrongOutput: ReplayedTask = { ...result, outputs: result.outputs.map(() => "Error: order not found") };
    expect(compareTask(wrongOutput, expected[String(result.id)]).length).toBeGreaterThan(0);

    const key = Object.keys(result.changed)[0];
    const record = structuredClone(result.changed[key]) as { status?: string; address?: { zip: string } };
    if (record.status) record.status = `${record.status}!`;
    else if (record.address) record.address.zip = "00000";
    const wrongRecord: ReplayedTask = { ...result, changed: { ...result.changed, [key]: record } };
    expect(compareTask(wrongRecord, expected[String(result.id)])).toEqual([`task ${result.id}: ${key} differs from the reference`]);

    const missing: ReplayedTask = { ...result, changed: {} };
    expect(compareTask(missing, expected[String(result.id)])).toContain(`task ${result.id}: ${key} should have changed`);
  });
});
