import { afterAll, beforeAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createAisleRuntime, type AisleRuntime } from "../../graphs/runtime.ts";
import { pruneCheckpoints } from "../../graphs/prune.ts";
import { Conversation } from "../support/graphConversation.ts";

let db: TestDatabase;
let rt: AisleRuntime;
beforeAll(async () => {
  db = await createTestDatabase();
  rt = await createAisleRuntime({ pool: db.pool, llm: null });
});
afterAll(async () => {
  await rt?.close();
  await db?.drop();
});

const aisle = (args: string[], input?: string) =>
  spawnSync("npx", ["tsx", "cli/aisle.ts", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: db.url, OPENAI_API_KEY: "" },
    timeout: 60_000,
  });

test("aisle chat scripted: one reply per input line, caller from --as, verdicts with --verbose", () => {
  const r = aisle(["chat", "--as", "customer:raj_sanchez_2970", "--verbose"], "where is my order #W4566809?\nraj.sanchez2046@example.com\nmia.moore8091@example.com\n");
  expect(r.status).toBe(0);
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/verify your identity/);
  expect(lines[1]).toMatch(/#W4566809 is pending/);
  expect(lines[1]).not.toContain("\n");
  expect(r.stderr).toMatch(/intent order_status/);
  expect(r.stderr).toMatch(/verdicts .*allow:tool_call\.ok\(find_user_id_by_email\)/);
});

test("aisle chat rejects an unknown role with a clear message", () => {
  const r = aisle(["chat", "--as", "wizard"], "");
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown role "wizard"/);
});

test("aisle audit verify reports intact chains", async () => {
  await new Conversation(rt).say("hello");
  const r = aisle(["audit", "verify"]);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/all chains intact/);
});

test("prune keeps the newest checkpoints, and a pruned thread (even one waiting for a manager) carries on", async () => {
  const c = new Conversation(rt);
  await c.say("raj.sanchez2046@example.com");
  await c.say("return the grill from #W1067251 to the original card");
  await c.say("yes");
  expect(c.interrupt).toBeDefined();
  const count = async () => (await db.pool.query("SELECT count(*)::int AS n FROM checkpoints WHERE thread_id = $1", [c.threadId])).rows[0].n;
  const before = await count();
  expect(before).toBeGreaterThan(3);
  const dry = await pruneCheckpoints(db.pool, { keep: 1, graceSeconds: 0, dryRun: true });
  expect(await count()).toBe(before);
  const result = await pruneCheckpoints(db.pool, { keep: 1, graceSeconds: 0 });
  expect(result.checkpoints).toBe(dry.checkpoints);
  expect(await count()).toBe(1);
  const done = await c.resume({ approved: true, by: "manager-1" });
  expect(done).toMatch(/return for order #W1067251 is requested/);
  expect(c.state?.authenticated?.user_id).toBe("raj_sanchez_2970");
  expect(await c.say("what's the status of #W1067251?")).toMatch(/return requested/);
  // Recently active threads are left alone by default.
  expect((await pruneCheckpoints(db.pool, { keep: 1 })).checkpoints).toBe(0);
  await expect(pruneCheckpoints(db.pool, { keep: 0 })).rejects.toThrow(/keep must be/);
});
