import { afterAll, beforeAll, expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { sdk, spawnServer, type ServerProcess, type ThreadValues } from "./support/retailLoad.ts";
import { createApiKey } from "../server/apiKeys.ts";

/**
 * `aisle serve --workers 2`: two server processes behind one port on one database. What an operator
 * relies on: turns are served and threads continue whichever worker takes a request; one scrape of
 * /metrics counts the turns of every worker; a worker killed with SIGKILL is replaced and its
 * threads carry on; SIGTERM stops everything.
 */

let db: TestDatabase;
let server: ServerProcess | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await server?.kill9();
  await db?.drop();
});

/** Worker processes of the primary `pid` (its children running the CLI; not e.g. tsx's esbuild service). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes("bin/aisle.js")) out.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${server?.tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const turnsCounted = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("aisle_turns_total{"))
    .reduce((sum, l) => sum + Number(l.split(" ").pop()), 0);
};

test("two workers serve one port and one database, report metrics together, survive a worker's SIGKILL, stop on SIGTERM", async () => {
  server = await spawnServer({ databaseUrl: db.url, env: { AISLE_WORKERS: "2" } });
  const s = server;
  await until("both workers", () => s.tail().includes("with 2 worker processes"));
  const workers = childrenOf(s.proc.pid!);
  expect(workers).toHaveLength(2);

  const key = (await createApiKey(db.pool, { role: "associate", storeId: "0012", label: "workers" })).key;
  const client = sdk(s.url, key);
  const threads = await Promise.all([1, 2, 3, 4].map(() => client.threads.create()));
  const ask = (threadId: string, text: string) =>
    client.runs.wait(threadId, "aisle", { input: { messages: [{ role: "user", content: text }] } }) as Promise<ThreadValues>;
  // Eight turns in parallel, then eight more on the same threads: the round-robin spreads them.
  await Promise.all(threads.map((t) => ask(t.thread_id, "hello")));
  const second = await Promise.all(threads.map((t) => ask(t.thread_id, "what are your store hours?")));
  for (const v of second) expect(v.messages.filter((m) => m.type === "human")).toHaveLength(2);

  // Every scrape — whichever worker answers it — counts all eight turns.
  for (let i = 0; i < 4; i++) expect(await turnsCounted(s.url)).toBe(8);

  // A worker dies: the primary starts another, and the threads carry on.
  process.kill(workers[0]!, "SIGKILL");
  await until("a replacement worker", () => {
    const now = childrenOf(s.proc.pid!);
    return now.length === 2 && !now.includes(workers[0]!) ? now : undefined;
  });
  const third = await Promise.all(threads.map((t) => ask(t.thread_id, "thanks")));
  for (const v of third) expect(v.messages.filter((m) => m.type === "human")).toHaveLength(3);

  const pidsBefore = childrenOf(s.proc.pid!);
  await s.stop();
  expect((await s.exited).code).toBe(0);
  for (const pid of pidsBefore) expect(() => process.kill(pid, 0)).toThrow();
}, 180_000);
