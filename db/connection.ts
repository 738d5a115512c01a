import pg from "pg";
import { EMBEDDED_DB_NAME, EMBEDDED_PG_DIR } from "./config.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./embeddedPostgres.ts";

// Return int8 (e.g. COUNT(*)) as JS numbers: Aisle's counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface DatabaseHandle {
  url: string;
  /** True when Aisle started its own embedded PostgreSQL for this process. */
  embedded: boolean;
  /** Stops the embedded server (no-op for an external DATABASE_URL). */
  close(): Promise<void>;
}

/** Creates the database named in `url` on its server when it does not exist yet. */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.slice(1));
  if (!dbName) throw new Error(`DATABASE_URL has no database name: ${url}`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * The database Aisle runs on: DATABASE_URL when set, otherwise an embedded PostgreSQL server that
 * this process starts (data kept in AISLE_PG_DIR between runs).
 */
export async function openDatabase(opts: { onLog?: (msg: string) => void } = {}): Promise<DatabaseHandle> {
  const external = process.env.DATABASE_URL;
  if (external) {
    await ensureDatabaseExists(external);
    return { url: external, embedded: false, close: async () => {} };
  }
  const server: EmbeddedServer = await startEmbeddedPostgres(EMBEDDED_PG_DIR, { onLog: opts.onLog });
  const url = server.url(EMBEDDED_DB_NAME);
  try {
    await ensureDatabaseExists(url);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url, embedded: true, close: () => server.stop() };
}

export function createPool(url: string, opts: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? Number(process.env.AISLE_PG_POOL_MAX ?? 10),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: Number(process.env.AISLE_PG_CONNECT_TIMEOUT_MS ?? 5_000),
  });
  // An idle client losing its connection (e.g. the server restarting) must not crash the process.
  pool.on("error", () => {});
  return pool;
}
