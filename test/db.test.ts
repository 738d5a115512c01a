import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { seedAll } from "../db/seed/index.ts";
import { loadTauDataset } from "../db/seed/tauDataset.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe("retail data plane", () => {
  it("holds every τ-bench user, order, product and variant", async () => {
    const data = loadTauDataset();
    const counts = await db.pool.query(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM orders) AS orders,
              (SELECT count(*) FROM products) AS products, (SELECT count(*) FROM variants) AS variants,
              (SELECT count(*) FROM payment_methods) AS payment_methods`,
    );
    const variants = Object.values(data.products).reduce((n, p) => n + Object.keys(p.variants).length, 0);
    const paymentMethods = Object.values(data.users).reduce((n, u) => n + Object.keys(u.payment_methods).length, 0);
    expect(counts.rows[0]).toEqual({
      users: Object.keys(data.users).length,
      orders: Object.keys(data.orders).length,
      products: Object.keys(data.products).length,
      variants,
      payment_methods: paymentMethods,
    });
  });

  it("seeding again is idempotent", async () => {
    const before = await db.pool.query("SELECT count(*)::int AS n, sum(balance) AS b FROM payment_methods");
    await seedAll(db.pool);
    const after = await db.pool.query("SELECT count(*)::int AS n, sum(balance) AS b FROM payment_methods");
    expect(after.rows[0]).toEqual(before.rows[0]);
  });
});
