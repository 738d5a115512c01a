import { afterAll, beforeAll, expect, test } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { AislePostgresSaver } from "../../graphs/checkpointer.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

// Replicas or `aisle serve --workers N` starting together on a fresh database all run setup at once;
// the library's own setup fails for all but one of them (duplicate migration row).
test("several processes may set the checkpoint tables up at the same moment", async () => {
  const before = await db.pool.query("SELECT to_regclass('checkpoint_migrations')::text AS t");
  expect(before.rows[0].t).toBeNull();
  const pools = [1, 2, 3, 4].map(() => new pg.Pool({ connectionString: db.url, max: 2 }));
  try {
    await Promise.all(pools.map((p) => new AislePostgresSaver(p).setup()));
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
  const { rows } = await db.pool.query<{ n: number; distinct_v: number }>("SELECT count(*)::int AS n, count(DISTINCT v)::int AS distinct_v FROM checkpoint_migrations");
  expect(rows[0]!.n).toBeGreaterThan(0);
  expect(rows[0]!.n).toBe(rows[0]!.distinct_v);
  // And the tables work.
  const saver = new AislePostgresSaver(db.pool);
  expect(await saver.getTuple({ configurable: { thread_id: "none" } })).toBeUndefined();
});
