import type pg from "pg";
import { seedTauDataset } from "./seedTau.ts";
import { seedRetailPlane } from "./seedRetailPlane.ts";

/** One step of `aisle db seed`. Steps run in order, each in its own transaction. */
export interface SeedStep {
  name: string;
  run(client: pg.PoolClient): Promise<Record<string, number>>;
}

/**
 * Every seed step, in dependency order. The τ-bench records come first; the generated retail
 * plane (stores, warehouses, inventory, loyalty, promotions, tax, shipping) builds on them.
 */
export const SEED_STEPS: SeedStep[] = [
  { name: "tau-bench retail dataset", run: seedTauDataset },
  { name: "retail plane (stores, stock, loyalty, promotions)", run: (client) => seedRetailPlane(client) },
];

/** Seeds every step; idempotent (a step that already ran leaves existing rows unchanged). */
export async function seedAll(
  pool: pg.Pool,
  opts: { onProgress?: (step: string, counts: Record<string, number>, ms: number) => void } = {},
): Promise<void> {
  for (const step of SEED_STEPS) {
    const client = await pool.connect();
    const started = performance.now();
    try {
      await client.query("BEGIN");
      const counts = await step.run(client);
      await client.query("COMMIT");
      opts.onProgress?.(step.name, counts, performance.now() - started);
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw new Error(`seed step "${step.name}" failed: ${(err as Error).message}`, { cause: err });
    } finally {
      client.release();
    }
  }
}

/** True once the τ-bench records are in place (used to seed on first start only). */
export async function isSeeded(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query("SELECT EXISTS (SELECT 1 FROM users) AS seeded");
  return rows[0].seeded;
}
