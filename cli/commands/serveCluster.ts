import cluster, { type Worker } from "node:cluster";
import { openReadyDatabase } from "../../db/bootstrap.ts";
import { createAisleRuntime } from "../../graphs/runtime.ts";
import { AislePostgresSaver } from "../../graphs/checkpointer.ts";
import { createAisleServer } from "../../server/app.ts";
import { aggregateWorkerMetrics } from "../../server/clusterMetrics.ts";
import type { ServerConfig } from "../../server/config.ts";
import { info } from "../runtime.ts";
import { announce, ensureDevKey, secs } from "./serve.ts";
import { writeRunningServer } from "./serverInfo.ts";

/**
 * `aisle serve --workers N`: a turn costs tens of milliseconds of JavaScript on one thread
 * (docs/BENCHMARKS.md), so one process uses one core. The primary prepares the database (starts
 * the embedded PostgreSQL if there is no DATABASE_URL, migrates, seeds, makes the development key)
 * and forks N workers that share the port; each is a full server on that database — the same
 * arrangement as replicas, which the run executor already coordinates through PostgreSQL (thread
 * locks, queued runs, cancellation, crash recovery). A worker that dies is replaced; its runs are
 * recovered by the others. SIGTERM/SIGINT stop the workers gracefully, then the database.
 */

const waitForSignal = () =>
  new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });

const exited = (w: Worker, ms: number) =>
  new Promise<void>((resolve) => {
    if (w.isDead()) return resolve();
    const t = setTimeout(() => {
      w.process.kill("SIGKILL");
      resolve();
    }, ms);
    w.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });

export async function servePrimary(opts: { workers: number; config: ServerConfig; devKey?: boolean; t0: number }): Promise<void> {
  const db = await openReadyDatabase({ log: info, poolMax: 2 });
  const tDb = performance.now();
  let releaseInfo = () => {};
  let stopping = false;
  const graceMs = Number(process.env.AISLE_SHUTDOWN_GRACE_MS ?? 10_000);
  try {
    const devKey = db.embedded || opts.devKey ? await ensureDevKey(db.pool) : undefined;
    // The checkpoint tables too, so the workers start on a database that needs nothing more.
    await new AislePostgresSaver(db.pool).setup();
    aggregateWorkerMetrics();
    const env = { DATABASE_URL: db.url, AISLE_PORT: String(opts.config.port), AISLE_HOST: opts.config.host };
    const url = await new Promise<string>((resolve, reject) => {
      let ready = 0;
      cluster.on("listening", (_w, address) => {
        if (++ready === opts.workers) resolve(`http://${opts.config.host}:${address.port}`);
      });
      cluster.on("exit", (w, code, signal) => {
        if (stopping) return;
        if (ready < opts.workers) {
          stopping = true;
          reject(new Error(`a worker exited during start-up (${signal ?? `code ${code}`}); see its output above`));
          return;
        }
        info(`worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting a new one — the others recover its runs`);
        cluster.fork(env);
      });
      for (let i = 0; i < opts.workers; i++) cluster.fork(env);
    });
    if (db.embedded) releaseInfo = writeRunningServer({ pid: process.pid, databaseUrl: db.url, apiUrl: url });
    const pids = Object.values(cluster.workers ?? {}).map((w) => w?.process.pid);
    const tReady = performance.now();
    announce(
      url,
      devKey,
      `Aisle is ready in ${secs(tReady - opts.t0)} with ${opts.workers} worker processes (pids ${pids.join(", ")}; database ${secs(tDb - opts.t0)}, workers ${secs(tReady - tDb)}).`,
    );
    const signal = await waitForSignal();
    stopping = true;
    info(`\n${signal}: stopping the workers (each finishes its in-flight turns)…`);
    process.on("SIGINT", () => process.exit(130));
    process.on("SIGTERM", () => process.exit(143));
  } finally {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    for (const w of workers) if (!w.isDead()) w.process.kill("SIGTERM");
    await Promise.all(workers.map((w) => exited(w, graceMs + 5000)));
    releaseInfo();
    await db.close();
  }
  info("Stopped.");
}

/** One worker: a full server on the primary's database, stopped by SIGTERM/SIGINT or the primary going away. */
export async function serveAsWorker(config: ServerConfig): Promise<void> {
  const db = await openReadyDatabase({ log: () => {}, poolMax: Number(process.env.AISLE_PG_POOL_MAX ?? 20) });
  const runtime = await createAisleRuntime({ pool: db.pool, databaseUrl: db.url });
  const server = createAisleServer({ pool: db.pool, databaseUrl: db.url, runtime: { ...runtime, reportsNodeEvents: true }, config });
  try {
    await server.listen();
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
      process.once("disconnect", () => resolve());
    });
    await server.close(Number(process.env.AISLE_SHUTDOWN_GRACE_MS ?? 10_000));
  } finally {
    await runtime.close().catch(() => {});
    await db.close();
  }
}
