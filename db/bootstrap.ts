import type pg from "pg";
import { createPool, openDatabase, type DatabaseHandle } from "./connection.ts";
import { migrate } from "./migrate.ts";
import { isSeeded, seedAll } from "./seed/index.ts";

export interface ReadyDatabase extends DatabaseHandle {
  pool: pg.Pool;
}

/**
 * Opens Aisle's database (DATABASE_URL or embedded), applies pending migrations and seeds it the
 * first time, so every command works on a fresh machine with no set-up step.
 */
export async function openReadyDatabase(
  opts: { log?: (msg: string) => void; poolMax?: number; seed?: boolean } = {},
): Promise<ReadyDatabase> {
  const log = opts.log ?? (() => {});
  const handle = await openDatabase();
  let pool: pg.Pool | undefined;
  try {
    await migrate(handle.url);
    pool = createPool(handle.url, { max: opts.poolMax });
    if (opts.seed !== false && !(await isSeeded(pool))) {
      log("First start: seeding the retail data plane…");
      await seedAll(pool, { onProgress: (step, _c, ms) => log(`  seeded ${step} in ${(ms / 1000).toFixed(1)} s`) });
    }
    const p = pool;
    return {
      ...handle,
      pool: p,
      close: async () => {
        await p.end();
        await handle.close();
      },
    };
  } catch (err) {
    await pool?.end().catch(() => {});
    await handle.close();
    throw err;
  }
}
