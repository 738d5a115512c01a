import pg from "pg";
import os from "node:os";
import { readdirSync, readFileSync } from "node:fs";
import { execSync } from "node:child_process";

/** Shared helpers for the load benchmarks: databases cloned from a seeded template, stats, machine info. */

export const BASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(BASE_URL, "postgres") });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database `name`, cloned from `aisle_bench_tpl` (migrated and seeded once, then reused;
 * `aisle serve` applies any newer migration to the clone at start).
 */
export async function freshDatabase(name: string, log: (s: string) => void = () => {}): Promise<string> {
  const tpl = "aisle_bench_tpl";
  const exists = await admin(async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [tpl])).rowCount);
  if (!exists) {
    log(`creating the seeded template database ${tpl} (once)…`);
    const { openReadyDatabase } = await import("../db/bootstrap.ts");
    const prev = process.env.DATABASE_URL;
    process.env.DATABASE_URL = withDatabase(BASE_URL, tpl);
    try {
      const db = await openReadyDatabase({ poolMax: 2 });
      await db.close();
    } finally {
      process.env.DATABASE_URL = prev;
    }
  }
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(tpl)}`);
  });
  return withDatabase(BASE_URL, name);
}

export async function dropDatabase(name: string) {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export function stats(ms: number[]): LatencyStats {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

/** Resident set size (current and peak) of a process, in MB, from /proc. */
/** Process ids of `pid` and all its descendants (from /proc/<n>/stat), so multi-process servers count whole. */
function processTree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, ppid] of parent) if (ppid === tree[i]) tree.push(child);
  return tree;
}

/** RSS and peak RSS (VmHWM) in MB of a process and its descendants (summed). */
export function rssMb(pid: number): { rss: number; peak: number } {
  let rss = 0;
  let peak = 0;
  try {
    for (const p of processTree(pid)) {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      const kb = (k: string) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? 0);
      rss += kb("VmRSS") / 1024;
      peak += kb("VmHWM") / 1024;
    }
    return { rss, peak };
  } catch {
    return rss ? { rss, peak } : { rss: NaN, peak: NaN };
  }
}

export function machineInfo(): string {
  const cpus = os.cpus();
  let pgVersion = "?";
  try {
    pgVersion = execSync(`psql "${withDatabase(BASE_URL, "postgres")}" -Atc "SHOW server_version"`, { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    /* psql not on PATH */
  }
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, PostgreSQL ${pgVersion}`;
}

export const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(" / ");

export const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parses Prometheus text into {name{labels} → value}. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** Mean per label value of a histogram `<name>_sum/_count` between two scrapes, in ms. */
export function histogramMeans(before: Map<string, number>, after: Map<string, number>, name: string, label: string): Record<string, { mean: number; count: number }> {
  const out: Record<string, { mean: number; count: number }> = {};
  for (const [k, v] of after) {
    if (!k.startsWith(`${name}_sum`)) continue;
    const m = k.match(new RegExp(`${label}="([^"]*)"`));
    if (!m) continue;
    const countKey = k.replace(`${name}_sum`, `${name}_count`);
    const count = (after.get(countKey) ?? 0) - (before.get(countKey) ?? 0);
    const sum = v - (before.get(k) ?? 0);
    if (count > 0) out[m[1]!] = { mean: (sum / count) * 1000, count };
  }
  return out;
}

/**
 * `--help`/`-h` for a benchmark script: prints the script's leading doc comment (its usage) and
 * exits — only when that script is the entry point, so modules run.ts imports are unaffected.
 */
export function helpFromDocComment(moduleUrl: string) {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  if (!process.argv.slice(2).some((a) => a === "--help" || a === "-h")) return;
  const src = readFileSync(new URL(moduleUrl), "utf8");
  const doc = src.match(/\/\*\*([\s\S]*?)\*\//)?.[1] ?? "";
  process.stdout.write(`${doc.split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n").trim()}\n`);
  process.exit(0);
}
