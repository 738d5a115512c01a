/**
 * Fine-tuning export throughput and memory: fills a scratch database with N recorded turns
 * (threads of 4 turns, realistic tool-calling trajectories) and exports them, reporting turns/s,
 * lines/s, output size and peak RSS. Memory should stay flat as N grows (cursor + one thread's
 * history in memory).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/export.ts --turns 100000 --format openai
 *   npx tsx bench/export.ts --turns 1000000 --format sharegpt    # embedded PostgreSQL without DATABASE_URL
 */
import pg from "pg";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase, createPool } from "../db/connection.ts";
import { migrate } from "../db/migrate.ts";
import { poolDb } from "../db/executor.ts";
import { recordTurnTrace } from "../traces/store.ts";
import { exportTraces } from "../traces/export/exportTraces.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../traces/export/formats.ts";
import { cancelThread } from "../test/support/traceFixtures.ts";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const { values } = parseArgs({
  options: {
    turns: { type: "string", default: "100000" },
    format: { type: "string", default: "openai" },
    keep: { type: "boolean", default: false },
  },
});
const turns = Number(values.turns);
const format = values.format as ExportFormat;
if (!Number.isInteger(turns) || turns < 4) throw new Error("--turns must be an integer ≥ 4");
if (!EXPORT_FORMATS.includes(format)) throw new Error(`--format must be one of ${EXPORT_FORMATS.join(", ")}`);

const handle = await openDatabase();
const url = new URL(handle.url);
url.pathname = "/aisle_bench_export";
const admin = new pg.Client({ connectionString: handle.url });
await admin.connect();
await admin.query("DROP DATABASE IF EXISTS aisle_bench_export WITH (FORCE)");
await admin.query("CREATE DATABASE aisle_bench_export");
await migrate(url.toString());
const pool = createPool(url.toString(), { max: 4 });
const db = poolDb(pool);

// Two template turns through the real writer (assets, masking), then N rows cloned in SQL.
const [t0, t1] = cancelThread("template");
await recordTurnTrace(db, t0!);
await recordTurnTrace(db, t1!);
let started = performance.now();
await pool.query(
  `INSERT INTO turn_traces (trace_id, thread_id, turn, schema_version, started_at, ended_at, intent, confidence, tier,
     router_version, model, outcome, passed, tokens_in, tokens_out, latency_ms, tools_hash, system_hash, trace)
   SELECT gen_random_uuid(), 'bench-' || (i / 4), i % 4, t.schema_version, t.started_at + (i || ' seconds')::interval,
          t.ended_at + (i || ' seconds')::interval, t.intent, t.confidence, t.tier, t.router_version, t.model, t.outcome,
          t.passed, t.tokens_in, t.tokens_out, t.latency_ms, t.tools_hash, t.system_hash,
          jsonb_set(jsonb_set(t.trace::jsonb, '{thread_id}', to_jsonb('bench-' || (i / 4))), '{turn}', to_jsonb(i % 4))::json
     FROM generate_series(0, $1::int - 1) i
     JOIN turn_traces t ON t.thread_id = 'template' AND t.turn = (CASE WHEN i % 4 = 0 THEN 0 ELSE 1 END)`,
  [turns],
);
await pool.query("DELETE FROM turn_traces WHERE thread_id = 'template'");
await pool.query("ANALYZE turn_traces");
const fillS = (performance.now() - started) / 1000;

const dir = mkdtempSync(join(tmpdir(), "aisle-bench-export-"));
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const rssBefore = process.memoryUsage().rss;
started = performance.now();
const { card } = await exportTraces(db, { format, out: join(dir, "bench.jsonl"), split: 0.9 });
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const bytes = card.files.reduce((n, f) => n + f.bytes, 0);

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
console.log(`turns: ${turns} (filled in ${fillS.toFixed(1)} s), format: ${format}`);
console.log(`exported ${card.counts.examples} lines, ${mb(bytes)} in ${seconds.toFixed(1)} s`);
console.log(`throughput: ${Math.round(turns / seconds)} turns/s, ${mb(bytes / seconds)}/s`);
console.log(`RSS: ${mb(rssBefore)} before, ${mb(peak)} peak during export`);

if (!values.keep) rmSync(dir, { recursive: true, force: true });
await pool.end();
await admin.query("DROP DATABASE IF EXISTS aisle_bench_export WITH (FORCE)");
await admin.end();
await handle.close();
