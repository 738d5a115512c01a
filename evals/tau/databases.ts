import pg from "pg";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPool } from "../../db/connection.ts";
import { migrate } from "../../db/migrate.ts";
import { seedAll } from "../../db/seed/index.ts";

const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * Pristine databases for τ-bench episodes: a seeded template built once on the server behind
 * `serverUrl` (never Aisle's own database, whose records are live), and one clone per episode so
 * every task starts from τ-bench's initial state.
 */
export async function episodeDatabases(serverUrl: string, opts: { log?: (m: string) => void } = {}) {
  // Named by the migrations it was built with, so a schema change builds a new one.
  const migrations = readdirSync(fileURLToPath(new URL("../../db/migrations", import.meta.url))).sort().join(",");
  const template = `aisle_tau_tpl_${createHash("sha256").update(migrations).digest("hex").slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: withDb(serverUrl, "postgres") });
  await admin.connect();
  const { rows } = await admin.query("SELECT datistemplate FROM pg_database WHERE datname = $1", [template]);
  if (!rows[0]?.datistemplate) {
    opts.log?.("Building the pristine τ-bench database (once)…");
    if (rows.length) await admin.query(`DROP DATABASE ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
    await migrate(withDb(serverUrl, template));
    const pool = createPool(withDb(serverUrl, template), { max: 2 });
    try {
      await seedAll(pool);
    } finally {
      await pool.end();
    }
    await admin.query(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  }
  return {
    async clone() {
      const name = `aisle_tau_ep_${randomBytes(5).toString("hex")}`;
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      const pool = createPool(withDb(serverUrl, name), { max: 6 });
      return {
        pool,
        drop: async () => {
          await pool.end();
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        },
      };
    },
    close: () => admin.end(),
  };
}
