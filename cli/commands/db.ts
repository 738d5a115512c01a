import type { Command } from "commander";
import { openDatabase, createPool } from "../../db/connection.ts";
import { migrate } from "../../db/migrate.ts";
import { resetDatabase } from "../../db/reset.ts";
import { seedAll } from "../../db/seed/index.ts";
import { action, info } from "../runtime.ts";

async function withRawDatabase(fn: (url: string, pool: ReturnType<typeof createPool>) => Promise<void>) {
  const handle = await openDatabase();
  const pool = createPool(handle.url);
  try {
    await fn(handle.url, pool);
  } finally {
    await pool.end();
    await handle.close();
  }
}

const progress = (step: string, counts: Record<string, number>, ms: number) =>
  info(
    `  ${step}: ${Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")} (${(ms / 1000).toFixed(1)} s)`,
  );

export function registerDbCommands(program: Command): void {
  const db = program
    .command("db")
    .description("Manage Aisle's PostgreSQL database (DATABASE_URL, or the embedded server)");

  db.command("migrate")
    .description("Create the database if missing and apply pending migrations")
    .action(
      action(async () => {
        await withRawDatabase(async (url) => {
          const applied = await migrate(url);
          info(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date.");
        });
      }),
    );

  db.command("seed")
    .description("Load the τ-bench records and generate the retail plane (idempotent)")
    .action(
      action(async () => {
        await withRawDatabase(async (url, pool) => {
          await migrate(url);
          const started = performance.now();
          info("Seeding…");
          await seedAll(pool, { onProgress: progress });
          info(`Seeded in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
        });
      }),
    );

  db.command("reset")
    .description("Drop all Aisle data (including conversations and audit), re-migrate and re-seed")
    .option("--no-seed", "leave the database empty after migrating")
    .option("-y, --yes", "do not ask for confirmation")
    .action(
      action(async (opts: { seed: boolean; yes?: boolean }) => {
        if (!opts.yes && process.stdin.isTTY) {
          const { createInterface } = await import("node:readline/promises");
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question("This deletes every row in Aisle's database. Type 'yes' to continue: ");
          rl.close();
          if (answer.trim() !== "yes") {
            info("Aborted.");
            return 1;
          }
        }
        await withRawDatabase(async (url, pool) => {
          await resetDatabase(pool, url);
          info("Database reset.");
          if (opts.seed) await seedAll(pool, { onProgress: progress });
        });
      }),
    );
}
