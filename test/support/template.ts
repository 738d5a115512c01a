import pg from "pg";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { migrate } from "../../db/migrate.ts";
import { createPool } from "../../db/connection.ts";
import { seedAll } from "../../db/seed/index.ts";

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Hash of everything that shapes the seeded database, so a stale template is never reused. */
function templateFingerprint(): string {
  const h = createHash("sha256");
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk("db/migrations");
  walk("db/seed");
  return h.digest("hex").slice(0, 12);
}

/** Builds (once per fingerprint) a migrated and seeded template database and returns its URL. */
export async function prepareTemplateDatabase(baseUrl: string): Promise<string> {
  const name = `aisle_tpl_${templateFingerprint()}`;
  const admin = new pg.Client({ connectionString: withDatabase(baseUrl, "postgres") });
  await admin.connect();
  try {
    // Several test runs may share one server (developers, CI): build the template under a lock.
    await admin.query("SELECT pg_advisory_lock(hashtext('aisle-test-template'))");
    const { rows } = await admin.query(
      "SELECT datistemplate FROM pg_database WHERE datname = $1",
      [name],
    );
    if (!rows[0]?.datistemplate) {
      if (rows.length) await admin.query(`DROP DATABASE ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      const url = withDatabase(baseUrl, name);
      await migrate(url);
      const pool = createPool(url, { max: 2 });
      try {
        await seedAll(pool);
      } finally {
        await pool.end();
      }
      // Marked a template only once complete: an interrupted build is rebuilt next time.
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    }
    await admin.query("SELECT pg_advisory_unlock(hashtext('aisle-test-template'))");
    return withDatabase(baseUrl, name);
  } finally {
    await admin.end();
  }
}
