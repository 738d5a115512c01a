import pg from "pg";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createPool } from "../../db/connection.ts";

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  /** Drops the database (call in afterAll). */
  drop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * A fresh, migrated and seeded database of its own (a clone of the run's template), so test files
 * run in parallel without seeing each other's writes, and leave nothing behind.
 */
export async function createTestDatabase(opts: { poolMax?: number } = {}): Promise<TestDatabase> {
  const template = inject("templateDatabaseUrl");
  const templateName = new URL(template).pathname.slice(1);
  const name = `aisle_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: withDatabase(template, "postgres") });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(templateName)}`);
        break;
      } catch (err) {
        // Concurrent clones of one template can collide briefly ("being accessed by other users").
        if ((err as { code?: string }).code !== "55006" || attempt > 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(template, name);
  const pool = createPool(url, { max: opts.poolMax ?? 5 });
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: withDatabase(template, "postgres") });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
