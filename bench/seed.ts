/**
 * Seed benchmark: times `migrate` and every seed step (τ-bench records + generated retail plane)
 * into a fresh database, and prints per-step times and row counts.
 *
 *   npx tsx bench/seed.ts [--runs 3] [--keep]
 *
 * Uses DATABASE_URL's server when set, otherwise starts an embedded PostgreSQL in a temp dir.
 */
import { Command } from "commander";
import os from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPool } from "../db/connection.ts";
import { migrate } from "../db/migrate.ts";
import { SEED_STEPS } from "../db/seed/index.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "../db/embeddedPostgres.ts";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const program = new Command()
  .name("bench/seed.ts")
  .description("Time migrate + full seed (τ-bench records and the generated retail plane) into a fresh database")
  .option("--runs <n>", "number of fresh databases to seed (the median is reported)", "3")
  .option("--keep", "keep the benchmark databases instead of dropping them")
  .addHelpText("after", "\nUses DATABASE_URL's server when set, otherwise an embedded PostgreSQL in a temporary directory.")
  .parse();
const opts = program.opts<{ runs: string; keep?: boolean }>();
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`error: --runs must be a positive integer, got ${JSON.stringify(opts.runs)}`);
  process.exit(2);
}

const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function seedOnce(baseUrl: string, keep: boolean): Promise<{ total: number; steps: { name: string; ms: number; counts: Record<string, number> }[] }> {
  const name = `aisle_bench_seed_${randomBytes(4).toString("hex")}`;
  const url = withDb(baseUrl, name);
  const steps: { name: string; ms: number; counts: Record<string, number> }[] = [];
  const t0 = performance.now();
  await migrate(url); // creates the database, applies every migration
  steps.push({ name: "migrate", ms: performance.now() - t0, counts: {} });
  const pool = createPool(url, { max: 2 });
  try {
    for (const step of SEED_STEPS) {
      const client = await pool.connect();
      const started = performance.now();
      try {
        await client.query("BEGIN");
        const counts = await step.run(client);
        await client.query("COMMIT");
        steps.push({ name: step.name, ms: performance.now() - started, counts });
      } finally {
        client.release();
      }
    }
  } finally {
    await pool.end();
  }
  const total = performance.now() - t0;
  if (!keep) {
    const admin = new pg.Client({ connectionString: withDb(baseUrl, "postgres") });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await admin.end();
  } else console.log(`kept ${url}`);
  return { total, steps };
}

let embedded: EmbeddedServer | undefined;
let baseUrl = process.env.DATABASE_URL;
if (!baseUrl) {
  embedded = await startEmbeddedPostgres(join(os.tmpdir(), `aisle-bench-pg-${process.getuid?.() ?? "u"}`));
  baseUrl = embedded.url("postgres");
}
const server = new pg.Client({ connectionString: withDb(baseUrl, "postgres") });
await server.connect();
const version = (await server.query("SHOW server_version")).rows[0].server_version;
await server.end();

console.log(`Seed benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${version} (${embedded ? "embedded" : "DATABASE_URL"})`);
const totals: number[] = [];
try {
  for (let r = 1; r <= runs; r++) {
    const { total, steps } = await seedOnce(baseUrl, Boolean(opts.keep));
    totals.push(total);
    console.log(`run ${r}/${runs}: ${(total / 1000).toFixed(2)} s`);
    for (const s of steps) {
      const counts = Object.entries(s.counts).map(([k, v]) => `${v} ${k}`).join(", ");
      console.log(`  ${s.name.padEnd(52)} ${(s.ms / 1000).toFixed(2).padStart(6)} s${counts ? `  (${counts})` : ""}`);
    }
  }
} finally {
  await embedded?.stop();
}
totals.sort((a, b) => a - b);
console.log(`median of ${runs}: ${(totals[Math.floor((runs - 1) / 2)] / 1000).toFixed(2)} s (min ${(totals[0] / 1000).toFixed(2)} s, max ${(totals[runs - 1] / 1000).toFixed(2)} s)`);
