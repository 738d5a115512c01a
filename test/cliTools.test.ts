import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { poolDb } from "../db/executor.ts";
import { loadTauDataset } from "../db/seed/tauDataset.ts";
import { canonicalHash } from "../evals/canonical.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";

const exec = promisify(execFile);
let tdb: TestDatabase;
let dir: string;
beforeAll(async () => {
  tdb = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), "aisle-cli-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await tdb?.drop();
});

/** Runs the real `aisle` launcher against this file's database; never throws on a non-zero exit. */
async function aisle(...args: string[]) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ["bin/aisle.js", ...args], {
      env: { ...process.env, DATABASE_URL: tdb.url },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("aisle tool", () => {
  it("prints the tool's output", async () => {
    const order = Object.values(loadTauDataset().orders)[0];
    const r = await aisle("tool", "get_order_details", JSON.stringify({ order_id: order.order_id }));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(order);
  });
  it("exits non-zero naming the problem for bad JSON, unknown tools and tool errors", async () => {
    const bad = await aisle("tool", "get_order_details", "{order_id:");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);
    const unknown = await aisle("tool", "get_ordr_details", "{}");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown tool "get_ordr_details"/);
    const missing = await aisle("tool", "get_order_details", "{}");
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^Error: invalid arguments for get_order_details: missing required argument order_id/);
  });
  it("--help lists the tools", async () => {
    const r = await aisle("tool", "--help");
    expect(r.stdout).toMatch(/cancel_pending_order\s+Cancel a pending order\./);
    expect(r.stdout).toMatch(/list_all_product_types/);
  });
});

describe("aisle replay", () => {
  it("writes outputs and changed records for each task and leaves the database pristine", async () => {
    const out = join(dir, "replay.json");
    const r = await aisle("replay", "--tasks", "data/tau-retail/tasks_dev.json", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tasks_dev\.json: 20\/20 tasks match the reference/);
    const written = JSON.parse(readFileSync(out, "utf8")) as { tasks: Array<{ id: number; outputs: string[]; changed: Record<string, unknown> }> };
    const expected = JSON.parse(readFileSync("data/tau-retail/expected_dev.json", "utf8"));
    expect(written.tasks).toHaveLength(20);
    for (const t of written.tasks) {
      const hashes = Object.fromEntries(Object.entries(t.changed).map(([k, v]) => [k, canonicalHash(v)]));
      expect(hashes).toEqual(expected[String(t.id)].changed);
    }
    const { differencesFromDataset } = await import("../evals/replay.ts");
    expect(await differencesFromDataset(poolDb(tdb.pool))).toEqual([]);
  });
  it("refuses a database whose τ-bench records are not pristine", async () => {
    await tdb.pool.query(`UPDATE users SET email = 'changed@example.com' WHERE user_id = (SELECT user_id FROM users ORDER BY ordinal LIMIT 1)`);
    const r = await aisle("replay", "--tasks", "data/tau-retail/tasks_dev.json");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/1 τ-bench record\(s\) in this database differ from the dataset .*aisle db reset/);
  });
});
