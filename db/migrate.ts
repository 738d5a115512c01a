import { runner } from "node-pg-migrate";
import { fileURLToPath } from "node:url";
import { ensureDatabaseExists } from "./connection.ts";

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

/** Applies every pending migration (creating the database first if it is missing). */
export async function migrate(url: string, opts: { log?: (msg: string) => void } = {}): Promise<string[]> {
  await ensureDatabaseExists(url);
  const applied = await runner({
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    direction: "up",
    migrationsTable: "aisle_migrations",
    checkOrder: true,
    singleTransaction: true,
    // Several processes (replicas, parallel tests) may start at once: wait for the lock.
    advisoryLockMode: "wait",
    log: opts.log ?? (() => {}),
  });
  return applied.map((m) => m.name);
}
