/**
 * HTTP turn load on loopback: multi-turn τ-bench conversations with a write (authenticate, name the
 * order, reason, listed action, "yes" → cancel) against
 *   - aisle: `aisle serve` (local tier, real PostgreSQL, durable checkpoints), via the LangGraph SDK;
 *   - peer:  the same graph (graphs/retail.ts:graph) under `langgraph dev` (@langchain/langgraph-cli
 *            1.5.1; in-memory checkpoints, as `langgraph dev` runs), via the same SDK client;
 *   - floor: a bare Express handler doing one PostgreSQL commit per request (bench/floorServer.ts).
 * Open-loop fixed rates (turns are dispatched on schedule; latency counts from the scheduled time,
 * so a slow server cannot hide queueing) and a closed-loop saturation phase. Every phase runs on a
 * fresh clone of a seeded database. Bounded in count and time; 127.0.0.1 only.
 *
 *   npx tsx bench/load.ts [--quick] [--targets aisle,peer,floor] [--rates 10,50,100] [--seconds 10] [--json out.json]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { createPool } from "../db/connection.ts";
import { createApiKey } from "../server/apiKeys.ts";
import { cancelScript, freePort, spawnServer } from "../test/support/retailLoad.ts";
import { dropDatabase, freshDatabase, histogramMeans, loadAverage, parseMetrics, rssMb, sleep, stats, type LatencyStats } from "./support.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));

export type Target = "aisle" | "aisle-adaptive" | "aisle-2w" | "peer" | "floor";
export const TARGETS: Target[] = ["aisle", "aisle-adaptive", "aisle-2w", "peer", "floor"];

export interface PhaseResult {
  target: Target;
  phase: string;
  offered?: number;
  seconds: number;
  turns: number;
  errors: number;
  throughput: number;
  latency: LatencyStats;
  rssMb?: number;
  peakRssMb?: number;
  writes?: number;
  nodes?: Record<string, { mean: number; count: number }>;
  checkpoint?: Record<string, { mean: number; count: number }>;
  load: string;
}

interface Conversation {
  send(text: string): Promise<void>;
}

interface Driver {
  pid: number;
  /** A new conversation (thread created ahead of time, not timed). */
  conversation(i: number): Promise<{ convo: Conversation; script: string[] }>;
  scrape?(): Promise<Map<string, number>>;
  writes?(): Promise<number>;
  close(): Promise<void>;
}

interface Shop {
  user_id: string;
  email: string;
  order_id: string;
}

async function shops(url: string): Promise<Shop[]> {
  const pool = createPool(url, { max: 2 });
  try {
    const { rows } = await pool.query<Shop>(
      `SELECT o.user_id, u.email, o.order_id FROM orders o JOIN users u USING (user_id) WHERE o.status = 'pending' ORDER BY o.ordinal`,
    );
    return rows;
  } finally {
    await pool.end();
  }
}

async function countCancelled(url: string): Promise<number> {
  const pool = createPool(url, { max: 1 });
  try {
    return Number((await pool.query("SELECT count(*) AS n FROM orders WHERE status = 'cancelled'")).rows[0].n);
  } finally {
    await pool.end();
  }
}

async function waitReady(url: string, isDead: () => boolean, what: string, ms = 180_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (isDead()) throw new Error(`${what} exited before it was ready`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(250);
  }
  throw new Error(`${what} not ready within ${ms / 1000} s`);
}

async function aisleDriver(dbName: string, env: Record<string, string> = {}): Promise<Driver> {
  const url = await freshDatabase(dbName);
  // AISLE_BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const nodeArgs = process.env.AISLE_BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean);
  const server = await spawnServer({ databaseUrl: url, env: { AISLE_LOG_LEVEL: "warn", ...env }, nodeArgs });
  const pool = createPool(url, { max: 2 });
  const orders = await shops(url);
  const keys = new Map<string, string>();
  const baseline = await countCancelled(url);
  return {
    pid: server.proc.pid!,
    async conversation(i) {
      const s = orders[i % orders.length]!;
      let key = keys.get(s.user_id);
      if (!key) keys.set(s.user_id, (key = (await createApiKey(pool, { role: "customer", customerId: s.user_id, label: "bench" })).key));
      const client = new Client({ apiUrl: server.url, apiKey: key, callerOptions: { maxRetries: 0 } });
      const thread = await client.threads.create();
      return {
        script: cancelScript(s),
        convo: { send: async (text) => void (await client.runs.wait(thread.thread_id, "aisle", { input: { messages: [{ role: "user", content: text }] } })) },
      };
    },
    scrape: async () => parseMetrics(await (await fetch(`${server.url}/metrics`)).text()),
    writes: async () => (await countCancelled(url)) - baseline,
    async close() {
      await pool.end();
      await server.stop();
      await dropDatabase(dbName);
    },
  };
}

const PEER_PACKAGES = ["@langchain/langgraph-cli@1.5.1", "@langchain/langgraph-api@1.5.1"];
const PEER_CLI = "node_modules/@langchain/langgraph-cli/dist/cli/cli.mjs";

/**
 * The peer is installed on demand with `npm install --no-save`, not as a devDependency: its
 * dependency tree includes platform binaries the npm registry mirror here does not fully hold,
 * which leaves package-lock.json incomplete and breaks `npm ci`. --no-save keeps the lock intact
 * and shares the root's LangGraph copies with the served graph.
 */
function ensurePeerInstalled(): void {
  if (existsSync(join(REPO, PEER_CLI)) && existsSync(join(REPO, "node_modules/@langchain/langgraph-api"))) return;
  process.stderr.write(`installing the langgraph dev peer (${PEER_PACKAGES.join(", ")}) with npm install --no-save…\n`);
  const r = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", ...PEER_PACKAGES], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error("could not install the langgraph dev peer");
}

async function peerDriver(dbName: string): Promise<Driver> {
  ensurePeerInstalled();
  const url = await freshDatabase(dbName);
  const port = await freePort();
  const proc = spawn(process.execPath, [PEER_CLI, "dev", "--port", String(port), "--host", "127.0.0.1", "--no-browser", "--no-reload"], {
    cwd: REPO,
    env: { ...process.env, DATABASE_URL: url, LANGGRAPH_CLI_NO_ANALYTICS: "1", LANGSMITH_TRACING: "false", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (c) => (out = (out + c).slice(-4000)));
  proc.stderr!.on("data", (c) => (out = (out + c).slice(-4000)));
  let dead = false;
  proc.once("exit", () => (dead = true));
  const apiUrl = `http://127.0.0.1:${port}`;
  try {
    await waitReady(`${apiUrl}/ok`, () => dead, "langgraph dev");
  } catch (err) {
    proc.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  const client = new Client({ apiUrl, callerOptions: { maxRetries: 0 } });
  // The graph is built lazily on first use: warm it outside the measurement.
  const orders = await shops(url);
  const baseline = await countCancelled(url);
  return {
    pid: proc.pid!,
    async conversation(i) {
      const s = orders[i % orders.length]!;
      const thread = await client.threads.create();
      const config = { configurable: { caller: { role: "customer", customer_id: s.user_id } } };
      return {
        script: cancelScript(s),
        convo: { send: async (text) => void (await client.runs.wait(thread.thread_id, "retail", { input: { messages: [{ role: "user", content: text }] }, config })) },
      };
    },
    writes: async () => (await countCancelled(url)) - baseline,
    async close() {
      proc.kill("SIGTERM");
      await new Promise((r) => (dead ? r(null) : proc.once("exit", r)));
      await dropDatabase(dbName);
    },
  };
}

async function floorDriver(dbName: string): Promise<Driver> {
  const url = await freshDatabase(dbName);
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", "bench/floorServer.ts", String(port)], { cwd: REPO, env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "inherit", "inherit"] });
  let dead = false;
  proc.once("exit", () => (dead = true));
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/ok`, () => dead, "floor server");
  return {
    pid: proc.pid!,
    async conversation(i) {
      const thread = `t-${i}`;
      return {
        script: ["a", "b", "c", "d", "e"],
        convo: {
          send: async (text) => {
            const r = await fetch(`${base}/turn`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ thread_id: thread, message: text }) });
            if (!r.ok) throw new Error(`HTTP ${r.status}`);
            await r.arrayBuffer();
          },
        },
      };
    },
    async close() {
      proc.kill("SIGTERM");
      await new Promise((r) => (dead ? r(null) : proc.once("exit", r)));
      await dropDatabase(dbName);
    },
  };
}

const DRIVERS: Record<Target, (db: string) => Promise<Driver>> = {
  aisle: (db) => aisleDriver(db),
  // The same server with AISLE_DURABILITY=adaptive (graphs/durability.ts).
  "aisle-adaptive": (db) => aisleDriver(db, { AISLE_DURABILITY: "adaptive" }),
  // Adaptive durability and two worker processes (aisle serve --workers 2).
  "aisle-2w": (db) => aisleDriver(db, { AISLE_DURABILITY: "adaptive", AISLE_WORKERS: "2" }),
  peer: peerDriver,
  floor: floorDriver,
};

/** Conversations with their next turn; each is used by one turn at a time. */
class Pool {
  private idle: { convo: Conversation; script: string[]; next: number }[] = [];
  private made = 0;
  constructor(private driver: Driver) {}
  async prepare(n: number) {
    const batch = await Promise.all(Array.from({ length: n }, () => this.driver.conversation(this.made++)));
    for (const c of batch) this.idle.push({ ...c, next: 0 });
  }
  async take() {
    if (!this.idle.length) await this.prepare(1);
    return this.idle.shift()!;
  }
  /** Most recently answered first, so conversations run to their write instead of round-robin. */
  give(c: { convo: Conversation; script: string[]; next: number }) {
    if (c.next < c.script.length) this.idle.unshift(c);
  }
}

async function warmUp(driver: Driver) {
  const pool = new Pool(driver);
  await pool.prepare(2);
  for (let k = 0; k < 2; k++) {
    const c = await pool.take();
    for (const t of c.script) await c.convo.send(t).catch(() => {});
  }
}

/** Open loop at `rate` turns/s for `seconds`. */
async function fixedRate(driver: Driver, rate: number, seconds: number) {
  const pool = new Pool(driver);
  await pool.prepare(Math.min(400, Math.ceil((rate * seconds) / 5) + 4));
  const lat: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const c = await pool.take();
    const text = c.script[c.next++]!;
    inflight.push(
      c.convo.send(text).then(
        () => {
          lat.push(performance.now() - due);
          pool.give(c);
        },
        () => {
          errors++;
          pool.give(c);
        },
      ),
    );
  }
  // Bounded: turns still unanswered 30 s after the last send count as errors (the phase ends).
  let timedOut = false;
  const limit = new Promise<void>((r) => setTimeout(() => ((timedOut = true), r()), 30_000).unref());
  await Promise.race([Promise.all(inflight), limit]);
  const elapsed = (performance.now() - t0) / 1000;
  return { lat: [...lat], errors: errors + (timedOut ? total - lat.length - errors : 0), elapsed };
}

/** Closed loop: `concurrency` clients each sending their next turn as soon as the last one returned. */
async function saturate(driver: Driver, concurrency: number, seconds: number) {
  const pool = new Pool(driver);
  await pool.prepare(concurrency * 2);
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const c = await pool.take();
        const text = c.script[c.next++]!;
        const s = performance.now();
        try {
          await c.convo.send(text);
          lat.push(performance.now() - s);
        } catch {
          errors++;
        }
        pool.give(c);
      }
    }),
  );
  return { lat, errors, elapsed: (performance.now() - t0) / 1000 };
}

export interface LoadOptions {
  targets: Target[];
  rates: number[];
  seconds: number;
  saturationSeconds: number;
  concurrency: number;
  /** Fresh database clone and server per phase (default); false: one per target (quick runs). */
  freshPerPhase?: boolean;
  log?: (s: string) => void;
}

export async function runLoad(opts: LoadOptions): Promise<PhaseResult[]> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const results: PhaseResult[] = [];
  const phases: (number | "saturation")[] = [...opts.rates, "saturation"];
  const fresh = opts.freshPerPhase ?? true;
  for (const target of opts.targets) {
    let shared: Driver | undefined;
    for (const phase of phases) {
      const name = phase === "saturation" ? `saturation (${opts.concurrency} clients)` : `${phase} turns/s`;
      log(`[load] ${target}: ${name}…`);
      let driver: Driver;
      try {
        driver = shared ?? (await DRIVERS[target](`aisle_bench_${target.replace(/-/g, "_")}`));
      } catch (err) {
        log(`[load] ${target} could not start: ${(err as Error).message.split("\n")[0]}`);
        break;
      }
      const warm = driver !== shared;
      if (!fresh) shared = driver;
      try {
        if (warm) await warmUp(driver);
        const before = await driver.scrape?.();
        const writesBefore = (await driver.writes?.()) ?? 0;
        const r = phase === "saturation" ? await saturate(driver, opts.concurrency, opts.saturationSeconds) : await fixedRate(driver, phase, opts.seconds);
        const after = await driver.scrape?.();
        const mem = rssMb(driver.pid);
        const result: PhaseResult = {
          target,
          phase: name,
          offered: phase === "saturation" ? undefined : phase,
          seconds: r.elapsed,
          turns: r.lat.length,
          errors: r.errors,
          throughput: r.lat.length / r.elapsed,
          latency: stats(r.lat),
          rssMb: mem.rss,
          peakRssMb: mem.peak,
          writes: driver.writes ? (await driver.writes()) - writesBefore : undefined,
          nodes: before && after ? histogramMeans(before, after, "aisle_node_duration_seconds", "node") : undefined,
          checkpoint: before && after ? histogramMeans(before, after, "aisle_checkpoint_write_seconds", "op") : undefined,
          load: loadAverage(),
        };
        results.push(result);
        log(
          `[load] ${target} ${name}: ${result.turns} turns in ${r.elapsed.toFixed(1)} s = ${result.throughput.toFixed(1)}/s, ` +
            `p50 ${result.latency.p50.toFixed(1)} ms, p95 ${result.latency.p95.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms, ` +
            `errors ${r.errors}, RSS ${mem.rss.toFixed(0)} MB (peak ${mem.peak.toFixed(0)}), load ${result.load}`,
        );
      } finally {
        if (fresh) await driver.close().catch(() => {});
      }
    }
    await shared?.close().catch(() => {});
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`Usage: npx tsx bench/load.ts [options]

HTTP load on loopback: multi-turn τ-bench cancel conversations at fixed rates (open loop) and at
saturation (closed loop), per target; prints one JSON result per phase (or writes --json FILE).
Uses DATABASE_URL (or embedded PostgreSQL); each phase runs on a fresh database clone.

  --targets LIST            ${TARGETS.join(",")} (default: aisle,aisle-adaptive,peer,floor)
  --rates LIST              fixed rates in turns/s (default 10,50,100; --quick 10,50)
  --seconds N               seconds per fixed-rate phase (default 10; --quick 3)
  --saturation-seconds N    seconds of the saturation phase (default 10; --quick 3)
  --concurrency N           saturation clients (default 32)
  --json FILE               write the results to FILE instead of stdout
  --quick                   shorter phases
  AISLE_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the Aisle server.
`);
    process.exit(0);
  }
  const quick = args.includes("--quick");
  const targets = (arg("--targets") ?? "aisle,aisle-adaptive,peer,floor").split(",") as Target[];
  const unknown = targets.filter((t) => !TARGETS.includes(t));
  if (unknown.length) {
    process.stderr.write(`bench/load.ts: unknown target(s) ${unknown.join(", ")}; choose from ${TARGETS.join(", ")}\n`);
    process.exit(2);
  }
  const results = await runLoad({
    targets,
    rates: (arg("--rates") ?? (quick ? "10,50" : "10,50,100")).split(",").map(Number),
    seconds: Number(arg("--seconds") ?? (quick ? 3 : 10)),
    saturationSeconds: Number(arg("--saturation-seconds") ?? (quick ? 3 : 10)),
    concurrency: Number(arg("--concurrency") ?? 32),
  });
  const out = arg("--json");
  if (out) (await import("node:fs")).writeFileSync(out, JSON.stringify(results, null, 2));
  else process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
