import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { Client } from "@langchain/langgraph-sdk";
import { createApiKey } from "../../server/apiKeys.ts";

/**
 * Multi-turn τ-bench conversations with a write, driven over HTTP with the official SDK, and an
 * `aisle serve` child process to drive them against. Shared by the fault tests (test/fault*.ts)
 * and the load benchmark (bench/load.ts), so both exercise the same traffic.
 */

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** A τ-bench customer with a pending order, and an API key bound to them. */
export interface Shopper {
  user_id: string;
  email: string;
  order_id: string;
  key: string;
}

/**
 * `n` distinct customers (deterministic order, from `offset`), each with one pending order, and a
 * customer key per customer.
 */
export async function pickShoppers(pool: pg.Pool, n: number, offset = 0): Promise<Shopper[]> {
  const { rows } = await pool.query<{ user_id: string; email: string; order_id: string }>(
    `SELECT DISTINCT ON (o.user_id) o.user_id, u.email, o.order_id
       FROM orders o JOIN users u USING (user_id)
      WHERE o.status = 'pending'
      ORDER BY o.user_id, o.ordinal
      LIMIT $1 OFFSET $2`,
    [n, offset],
  );
  if (rows.length < n) throw new Error(`only ${rows.length} customers with a pending order (wanted ${n})`);
  const out: Shopper[] = [];
  for (const r of rows) out.push({ ...r, key: (await createApiKey(pool, { role: "customer", customerId: r.user_id, label: "load" })).key });
  return out;
}

/** Authenticate, name the order, give the reason, see the listed action, confirm: one write. */
export const cancelScript = (s: Pick<Shopper, "email" | "order_id">) => [
  "I need to cancel an order",
  `my email is ${s.email}`,
  s.order_id,
  "I no longer need it",
  "yes",
];

export interface Msg {
  type: string;
  content: unknown;
  name?: string;
  tool_call_id?: string;
}
export type ThreadValues = { messages: Msg[]; reply?: string };

export const text = (m: Msg) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));

export const sdk = (url: string, key: string) => new Client({ apiUrl: url, apiKey: key, callerOptions: { maxRetries: 0 } });

/** A free loopback port (the OS picks; closed again before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  /** Last lines of output (for failure messages). */
  tail(): string;
  /** Resolves with the exit code/signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful), then wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `aisle serve` as a child process on DATABASE_URL=`databaseUrl`, on 127.0.0.1:`port`, and
 * resolves once `/ready` answers 200. `env` adds or overrides settings (rate limit, log level…).
 */
export async function spawnServer(opts: { databaseUrl: string; port?: number; env?: Record<string, string>; nodeArgs?: string[]; readyTimeoutMs?: number }): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), "bin/aisle.js", "serve", "--port", String(port), "--host", "127.0.0.1"], {
    cwd: REPO,
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      AISLE_LOG_LEVEL: "warn",
      AISLE_RATE_LIMIT: "1000000",
      AISLE_SWEEP_INTERVAL_MS: "200",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`aisle serve exited before it was ready:\n${lines.join("\n")}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`aisle serve was not ready in time:\n${lines.join("\n")}`);
    }
    const ok = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    proc,
    url,
    tail: () => lines.join("\n"),
    exited,
    kill9: async () => {
      if (!gone) proc.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (!gone) proc.kill("SIGTERM");
      await exited;
    },
  };
}
