import { Client } from "@langchain/langgraph-sdk";
import { createAisleServer, type AisleServer } from "../../server/app.ts";
import { createApiKey } from "../../server/apiKeys.ts";
import { createLogger } from "../../server/logger.ts";
import type { ServedRuntime } from "../../server/runtime.ts";
import type { ServerConfig } from "../../server/config.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { createTestRuntime } from "./serverGraph.ts";

export interface ServerHarness {
  db: TestDatabase;
  server: AisleServer;
  url: string;
  keys: Record<"customer" | "customer2" | "associate" | "manager" | "admin" | "ml", string>;
  customers: [string, string];
  /** An SDK client authenticated with one of the keys (no retries, so errors surface at once). */
  client(key: keyof ServerHarness["keys"] | string): Client;
  fetch(path: string, init?: RequestInit & { key?: keyof ServerHarness["keys"] }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real Aisle server on a fresh seeded database, listening on a free loopback port, with one API
 * key per role. `runtime` defaults to the small test graph (token-streaming model + escalation).
 */
export async function startServerHarness(opts: { runtime?: (db: TestDatabase) => Promise<ServedRuntime>; config?: Partial<ServerConfig>; db?: TestDatabase } = {}): Promise<ServerHarness> {
  const db = opts.db ?? (await createTestDatabase({ poolMax: 8 }));
  const runtime = opts.runtime ? await opts.runtime(db) : await createTestRuntime({ pool: db.pool, tokenDelayMs: 2 });
  const server = createAisleServer({
    pool: db.pool,
    databaseUrl: db.url,
    runtime,
    config: { sweepIntervalMs: 200, ...opts.config },
    logger: createLogger({ level: process.env.AISLE_TEST_LOG ?? "silent" }),
  });
  const { url } = await server.listen(0, "127.0.0.1");
  const { rows } = await db.pool.query<{ user_id: string }>("SELECT user_id FROM users ORDER BY user_id LIMIT 2");
  const customers: [string, string] = [rows[0]!.user_id, rows[1]!.user_id];
  const keys = {
    customer: (await createApiKey(db.pool, { role: "customer", customerId: customers[0] })).key,
    customer2: (await createApiKey(db.pool, { role: "customer", customerId: customers[1] })).key,
    associate: (await createApiKey(db.pool, { role: "associate", storeId: "store-001" })).key,
    manager: (await createApiKey(db.pool, { role: "manager" })).key,
    admin: (await createApiKey(db.pool, { role: "admin" })).key,
    ml: (await createApiKey(db.pool, { role: "ml" })).key,
  };
  const keyOf = (k: string) => (k in keys ? keys[k as keyof typeof keys] : k);
  return {
    db,
    server,
    url,
    keys,
    customers,
    client: (k) => new Client({ apiUrl: url, apiKey: keyOf(k), callerOptions: { maxRetries: 0 } }),
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (init.key) headers.set("x-api-key", keys[init.key]);
      return fetch(`${url}${path}`, { ...init, headers });
    },
    close: async () => {
      await server.close(2000);
      await runtime.close();
      if (!opts.db) await db.drop();
    },
  };
}

/** Collects every part of an SDK stream. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const part of stream) out.push(part);
  return out;
}
