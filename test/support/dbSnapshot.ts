import type pg from "pg";

/**
 * Fingerprints of tables in the public schema: row count and an order-independent sum of row
 * hashes per table. Two equal fingerprints mean no row was inserted, updated or deleted in between
 * (up to hash collisions), so a test can show that a rejected request wrote nothing.
 *
 * `which: "small"` covers every table under `LARGE_BYTES` on disk (all of the server's own
 * tables, keys, traces, checkpoints, orders, users…) and is cheap enough to take per request;
 * `"large"` covers the rest (the generated store inventory), to compare around a whole run.
 */
const LARGE_BYTES = 8 * 1024 * 1024;

const tableLists = new WeakMap<pg.Pool, Promise<{ small: string[]; large: string[] }>>();

async function listTables(pool: pg.Pool) {
  const { rows } = await pool.query<{ name: string; bytes: number }>(
    `SELECT t.tablename AS name, pg_total_relation_size(c.oid)::float8 AS bytes
       FROM pg_tables t JOIN pg_class c ON c.relname = t.tablename AND c.relnamespace = 'public'::regnamespace
      WHERE t.schemaname = 'public' ORDER BY t.tablename`,
  );
  return { small: rows.filter((r) => r.bytes < LARGE_BYTES).map((r) => r.name), large: rows.filter((r) => r.bytes >= LARGE_BYTES).map((r) => r.name) };
}

export async function tableFingerprints(pool: pg.Pool, which: "small" | "large" | "all" = "small"): Promise<Record<string, string>> {
  let lists = tableLists.get(pool);
  if (!lists) tableLists.set(pool, (lists = listTables(pool)));
  const { small, large } = await lists;
  const names = which === "small" ? small : which === "large" ? large : [...small, ...large];
  if (!names.length) return {};
  const sql = names
    .map((name) => `SELECT ${pgLiteral(name)} AS name, count(*)::text || ':' || COALESCE(sum(hashtext(x::text)::numeric), 0)::text AS fp FROM public."${name.replaceAll('"', '""')}" x`)
    .join(" UNION ALL ");
  const { rows } = await pool.query<{ name: string; fp: string }>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.fp]));
}

const pgLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Waits until no run is pending or running, so background work cannot change the next fingerprint. */
export async function waitForIdleRuns(pool: pg.Pool, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE status IN ('pending', 'running')");
    if (Number(rows[0]!.n) === 0) return;
    if (Date.now() > until) throw new Error(`runs still active after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
