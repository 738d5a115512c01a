import { readFileSync } from "node:fs";
import type pg from "pg";
import { z } from "zod";
import { loadTauDataset } from "../db/seed/tauDataset.ts";
import { transactionDb, type Db } from "../db/executor.ts";
import { getProducts } from "../tools/catalogue/catalogueDb.ts";
import { getOrders, getUsers } from "../tools/orders/ordersDb.ts";
import { runTool } from "../tools/index.ts";
import { canonicalHash } from "./canonical.ts";

/**
 * τ-bench conformance replay: each task's ground-truth actions run through Aisle's tools from the
 * pristine seeded state (one transaction per task, rolled back), and the records that end up
 * different from the initial dataset are read back from the database in τ-bench's shape.
 */

export const TauTask = z.object({
  id: z.number().int(),
  user_id: z.string().optional(),
  instruction: z.string().optional(),
  actions: z.array(z.object({ name: z.string(), kwargs: z.record(z.string(), z.unknown()) })),
  outputs: z.array(z.string()).optional(),
});
export type TauTask = z.infer<typeof TauTask>;

export interface ReplayedTask {
  id: number;
  outputs: string[];
  /** `users/<id>`, `orders/<id>`, `products/<id>` → the record now (null if deleted). */
  changed: Record<string, unknown>;
}

/** Reads and validates a τ-bench tasks file (an array of tasks), naming the file on failure. */
export function loadTasks(file: string): TauTask[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`cannot read tasks from ${file}: ${(err as Error).message}`);
  }
  const parsed = z.array(TauTask).safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a τ-bench tasks file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

let initialHashes: Map<string, string> | undefined;
/** SHA-256 of the canonical form of every record in the initial dataset, by key. */
export function initialDatasetHashes(): Map<string, string> {
  if (initialHashes) return initialHashes;
  const { users, orders, products } = loadTauDataset();
  const out = new Map<string, string>();
  for (const [id, u] of Object.entries(users)) out.set(`users/${id}`, canonicalHash(u));
  for (const [id, o] of Object.entries(orders)) out.set(`orders/${id}`, canonicalHash(o));
  for (const [id, p] of Object.entries(products)) out.set(`products/${id}`, canonicalHash(p));
  initialHashes = out;
  return out;
}

/** Loads records by key (`users/…`, `orders/…`, `products/…`) through the data-access modules, in bulk. */
export async function loadRecords(db: Db, keys: Iterable<string>): Promise<Map<string, unknown>> {
  const ids = { users: [] as string[], orders: [] as string[], products: [] as string[] };
  for (const key of keys) {
    const slash = key.indexOf("/");
    ids[key.slice(0, slash) as keyof typeof ids].push(key.slice(slash + 1));
  }
  const out = new Map<string, unknown>();
  for (const [id, r] of await getUsers(db, ids.users)) out.set(`users/${id}`, r);
  for (const [id, r] of await getOrders(db, ids.orders)) out.set(`orders/${id}`, r);
  for (const [id, r] of await getProducts(db, ids.products)) out.set(`products/${id}`, r);
  return out;
}

/**
 * Keys of records with a row written since transaction `xid` began: rows whose xmin is this
 * transaction's id or one of its (later-numbered) savepoint subtransactions. Compared modulo 2^32
 * so xid wraparound does not matter.
 */
const TOUCHED_SQL = (() => {
  const mine = `((xmin::text::bigint - $1::bigint + 4294967296) % 4294967296) < 2147483648`;
  return [
    `SELECT 'users/' || user_id AS key FROM users WHERE ${mine}`,
    `SELECT 'users/' || user_id FROM payment_methods WHERE ${mine}`,
    `SELECT 'orders/' || order_id FROM orders WHERE ${mine}`,
    `SELECT 'orders/' || order_id FROM order_items WHERE ${mine}`,
    `SELECT 'orders/' || order_id FROM order_fulfillments WHERE ${mine}`,
    `SELECT 'orders/' || order_id FROM order_payments WHERE ${mine}`,
    `SELECT 'products/' || product_id FROM products WHERE ${mine}`,
    `SELECT 'products/' || product_id FROM variants WHERE ${mine}`,
  ].join("\nUNION ");
})();

/** Records whose canonical form differs from the initial dataset, with their current value. */
async function changedSince(db: Db, xid: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ key: string }>(TOUCHED_SQL, [xid]);
  const initial = initialDatasetHashes();
  const keys = rows.map((r) => r.key).sort();
  const records = await loadRecords(db, keys);
  const changed: Record<string, unknown> = {};
  for (const key of keys) {
    const now = records.get(key) ?? null;
    if (canonicalHash(now) !== initial.get(key)) changed[key] = now;
  }
  return changed;
}

/**
 * Checks that the τ-bench records in the database are exactly the initial dataset, since replay
 * outcomes are only meaningful from that state. Returns the keys that differ.
 */
export async function differencesFromDataset(db: Db): Promise<string[]> {
  const initial = initialDatasetHashes();
  const { rows } = await db.query<{ key: string }>(
    `SELECT 'users/' || user_id AS key FROM users UNION ALL SELECT 'orders/' || order_id FROM orders
     UNION ALL SELECT 'products/' || product_id FROM products`,
  );
  const present = new Set(rows.map((r) => r.key));
  const records = await loadRecords(db, present);
  const diff: string[] = [];
  for (const [key, hash] of initial) if (canonicalHash(records.get(key) ?? null) !== hash) diff.push(key);
  for (const key of present) if (!initial.has(key)) diff.push(key);
  return diff.sort();
}

/** Deadlock or serialization failure: the task's transaction was rolled back and can simply run again. */
const isRetryable = (err: unknown) => ["40P01", "40001"].includes((err as { code?: string }).code ?? "");

async function replayOne(client: pg.PoolClient | pg.Client, task: TauTask): Promise<ReplayedTask> {
  for (let attempt = 0; ; attempt++) {
    await client.query("BEGIN");
    try {
      const { rows } = await client.query<{ xid: string }>(`SELECT (txid_current() % 4294967296)::text AS xid`);
      const db = transactionDb(client);
      const outputs: string[] = [];
      for (const action of task.actions) outputs.push(await runTool(db, action.name, action.kwargs));
      return { id: task.id, outputs, changed: await changedSince(db, rows[0].xid) };
    } catch (err) {
      if (!isRetryable(err) || attempt >= 5) throw err;
    } finally {
      await client.query("ROLLBACK");
    }
  }
}

/**
 * Replays tasks on one connection: each task in its own transaction that is always rolled back,
 * so every task starts from the state the database was in (the pristine seed).
 */
export async function replayTasks(
  client: pg.PoolClient | pg.Client,
  tasks: readonly TauTask[],
  opts: { onTask?: (done: number, task: ReplayedTask) => void } = {},
): Promise<ReplayedTask[]> {
  const results: ReplayedTask[] = [];
  for (const task of tasks) {
    results.push(await replayOne(client, task));
    opts.onTask?.(results.length, results[results.length - 1]);
  }
  return results;
}

/**
 * Replays tasks on `concurrency` connections of `pool`, results in task order. Tasks are split by
 * customer so concurrent tasks rarely want the same rows; when they do, one waits for the other's
 * rollback (and a rare deadlock is retried), so results equal a sequential replay.
 */
export async function replayTasksConcurrently(
  pool: pg.Pool,
  tasks: readonly TauTask[],
  opts: { concurrency?: number; onTask?: (done: number, task: ReplayedTask) => void } = {},
): Promise<ReplayedTask[]> {
  const lanes = Math.max(1, Math.min(opts.concurrency ?? 2, tasks.length));
  const laneOf = new Map<string, number>();
  const queues: number[][] = Array.from({ length: lanes }, () => []);
  tasks.forEach((t, i) => {
    const key = t.user_id ?? `#${i}`;
    if (!laneOf.has(key)) laneOf.set(key, laneOf.size % lanes);
    queues[laneOf.get(key)!].push(i);
  });
  const results: ReplayedTask[] = new Array(tasks.length);
  let done = 0;
  await Promise.all(
    queues.map(async (queue) => {
      const client = await pool.connect();
      try {
        for (const i of queue) {
          results[i] = await replayOne(client, tasks[i]);
          opts.onTask?.(++done, results[i]);
        }
      } finally {
        client.release();
      }
    }),
  );
  return results;
}
