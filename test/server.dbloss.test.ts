import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres, type EmbeddedServer } from "../db/embeddedPostgres.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/connection.ts";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";

/**
 * PostgreSQL goes away under a running server and comes back: requests fail fast with 503 JSON,
 * /ready reports it, and service resumes without a restart. Uses a throw-away embedded PostgreSQL
 * (the shared one cannot be stopped).
 */
describe("database loss", () => {
  const dir = mkdtempSync(join(tmpdir(), "aisle-dbloss-"));
  // Root-run machines start postgres as a `postgres` user, which must be able to enter the directory.
  chmodSync(dir, 0o777);
  let pg: EmbeddedServer;
  let h: ServerHarness;
  let port: number;
  beforeAll(async () => {
    pg = await startEmbeddedPostgres(join(dir, "pg"));
    port = pg.port;
    const url = pg.url("postgres");
    await migrate(url);
    const pool = createPool(url, { max: 5 });
    await pool.query("INSERT INTO users (user_id, first_name, last_name, email, address, ordinal) VALUES ('u1','A','B','a@b.c','{}',0), ('u2','C','D','c@d.e','{}',1)");
    h = await startServerHarness({ db: { url, pool, drop: async () => {} } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await pg?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 fast while the database is down and recovers when it returns", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    expect((await h.fetch(`/threads/${thread.thread_id}`, { key: "customer" })).status).toBe(200);

    await pg.stop();
    const first = await h.fetch(`/threads/${thread.thread_id}`, { key: "customer" });
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({ error: "database_unavailable" });
    // Later requests are refused before touching the pool (counted as such in the metrics).
    const again = await h.fetch(`/threads/${thread.thread_id}`, { key: "customer" });
    expect(again.status).toBe(503);
    expect(await (await h.fetch("/metrics")).text()).toMatch(/aisle_db_unavailable_total [2-9]/);
    expect((await h.fetch("/ready")).status).toBe(503);
    expect((await h.fetch("/health")).status).toBe(200);

    pg = await startEmbeddedPostgres(join(dir, "pg"), { port });
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await h.fetch(`/threads/${thread.thread_id}`, { key: "customer" })).status;
    }
    expect(status).toBe(200);
    const result = (await client.runs.wait(thread.thread_id, "aisle", { input: { messages: [{ role: "user", content: "back" }] } })) as { messages: Array<{ content: string }> };
    expect(result.messages.at(-1)!.content).toBe("You said back");
  });
});
