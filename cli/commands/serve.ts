import type { Command } from "commander";
import cluster from "node:cluster";
import { servePrimary, serveAsWorker } from "./serveCluster.ts";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type pg from "pg";
import { openReadyDatabase } from "../../db/bootstrap.ts";
import { AISLE_HOME } from "../../db/config.ts";
import { ApiKeyResolver, createApiKey } from "../../server/apiKeys.ts";
import { createAisleServer } from "../../server/app.ts";
import { loadServerConfig } from "../../server/config.ts";
import { createAisleRuntime } from "../../graphs/runtime.ts";
import { action, info, UsageError } from "../runtime.ts";
import { writeRunningServer } from "./serverInfo.ts";

export const DEV_KEY_FILE = join(AISLE_HOME, "dev-key");

/**
 * The development key printed at start: created once (admin role), kept in .aisle/dev-key (0600)
 * and stored hashed in the database; recreated when the file's key is unknown to this database.
 */
export async function ensureDevKey(pool: pg.Pool): Promise<string> {
  if (existsSync(DEV_KEY_FILE)) {
    const key = readFileSync(DEV_KEY_FILE, "utf8").trim();
    if (await new ApiKeyResolver(pool, 0).resolve(key)) return key;
  }
  const { key } = await createApiKey(pool, { role: "admin", label: "development key (aisle serve)" });
  mkdirSync(dirname(DEV_KEY_FILE), { recursive: true });
  writeFileSync(DEV_KEY_FILE, `${key}\n`, { mode: 0o600 });
  chmodSync(DEV_KEY_FILE, 0o600);
  return key;
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The start-up banner: where the API and Studio are, and the development key if there is one. */
export function announce(url: string, devKey: string | undefined, readyLine: string) {
  info("");
  info(readyLine);
  info(`  API:     ${url}`);
  info(`  Studio:  ${url}/studio`);
  info(`  Docs:    ${url}/openapi.json  (and docs/API.md)`);
  if (devKey) {
    info(`  API key: ${devKey}`);
    info(`           (development admin key, kept in ${DEV_KEY_FILE}; more with \`aisle keys create --role …\`)`);
    info("");
    info(`Try:  curl -s ${url}/v1/chat -H 'x-api-key: ${devKey}' -H 'content-type: application/json' -d '{"message":"Is the T-shirt in stock at store 12?"}'`);
  } else {
    info("  API keys: create them with `aisle keys create --role <role>` (or start with --dev-key).");
  }
  info("Press Ctrl+C to stop.");
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run the Aisle API server (embedded PostgreSQL unless DATABASE_URL is set)")
    .option("-p, --port <port>", "port to listen on (env AISLE_PORT, default 8123)")
    .option("--host <host>", "interface to bind (env AISLE_HOST, default 127.0.0.1)")
    .option("--dev-key", "also create/print a development admin key when DATABASE_URL is set")
    .option("-w, --workers <n>", "server processes sharing the port, each running turns (env AISLE_WORKERS, default 1)")
    .action(
      action(async (opts: { port?: string; host?: string; devKey?: boolean; workers?: string }) => {
        const port = opts.port === undefined ? undefined : Number(opts.port);
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be a port number, got "${opts.port}"`);
        const rawWorkers = opts.workers ?? process.env.AISLE_WORKERS ?? "1";
        const workers = Number(rawWorkers);
        if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers must be an integer from 1 to 64, got "${rawWorkers}"`);
        const config = loadServerConfig({ ...(port !== undefined ? { port } : {}), ...(opts.host ? { host: opts.host } : {}) });
        if (cluster.isWorker) return serveAsWorker(config);
        const t0 = performance.now();
        info(process.env.DATABASE_URL ? "Starting Aisle on DATABASE_URL…" : "Starting Aisle on its embedded PostgreSQL…");
        if (workers > 1) return servePrimary({ workers, config, devKey: opts.devKey, t0 });
        const db = await openReadyDatabase({ log: info, poolMax: Number(process.env.AISLE_PG_POOL_MAX ?? 20) });
        const tDb = performance.now();
        let stopRuntime: (() => Promise<void>) | undefined;
        let releaseInfo = () => {};
        try {
          const runtime = await createAisleRuntime({ pool: db.pool, databaseUrl: db.url });
          stopRuntime = runtime.close;
          const tGraph = performance.now();
          const server = createAisleServer({ pool: db.pool, databaseUrl: db.url, runtime: { ...runtime, reportsNodeEvents: true }, config });
          const { url } = await server.listen();
          const devKey = db.embedded || opts.devKey ? await ensureDevKey(db.pool) : undefined;
          if (db.embedded) releaseInfo = writeRunningServer({ pid: process.pid, databaseUrl: db.url, apiUrl: url });
          const tReady = performance.now();
          announce(
            url,
            devKey,
            `Aisle is ready in ${secs(tReady - t0)} (database ${secs(tDb - t0)}, graph ${secs(tGraph - tDb)}, server ${secs(tReady - tGraph)}; ` +
              `${secs(process.uptime() * 1000)} since the process started).`,
          );

          await new Promise<void>((resolve) => {
            let stopping = false;
            const stop = (signal: string) => {
              if (stopping) {
                info(`${signal} again: exiting now.`);
                process.exit(130);
              }
              stopping = true;
              info(`\n${signal}: finishing in-flight turns, then stopping…`);
              resolve();
            };
            process.once("SIGINT", () => stop("SIGINT"));
            process.once("SIGTERM", () => stop("SIGTERM"));
          });
          process.on("SIGINT", () => process.exit(130));
          process.on("SIGTERM", () => process.exit(143));
          await server.close(Number(process.env.AISLE_SHUTDOWN_GRACE_MS ?? 10_000));
          info("Stopped.");
        } finally {
          releaseInfo();
          await stopRuntime?.().catch(() => {});
          await db.close();
        }
      }),
    );
}
