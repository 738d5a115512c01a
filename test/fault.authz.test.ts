import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";
import { tableFingerprints, waitForIdleRuns } from "./support/dbSnapshot.ts";

/**
 * The authorisation matrix: every endpoint × every caller × own/other object, from the one table
 * below. Each cell is a test: the request is sent with that caller's credential against a thread
 * (and run) the caller owns, or one another customer owns, and must get the expected status; a
 * refused request must leave every table unchanged. The table is the policy (docs/API.md,
 * "Authentication and roles"); server/access.ts implements it.
 *
 * Cells: a status, or "listed"/"unlisted" for searches (is the thread in the caller's results),
 * or null where the cell cannot exist (an ml key cannot create, so cannot own, a thread).
 */

const ROLES = ["customer", "associate", "manager", "admin", "ml"] as const;
type Role = (typeof ROLES)[number];
type Caller = Role | "none" | "bad";
type Cell = number | "listed" | "unlisted" | null;
/** Per role: [own object, other customer's object]; `none`/`bad` (no key, wrong key) take one value. */
type Expect = Record<Role, readonly [Cell, Cell]> & { none: number; bad: number };

interface Target {
  threadId: string;
  runId: string;
  checkpointId: string;
}

interface Row {
  name: string;
  method: string;
  path: (t: Target) => string;
  body?: (t: Target) => unknown;
  /** The cell gets its own new thread (the request changes or removes it, or needs it escalated). */
  fresh?: "turn" | "escalated";
  /** Turns the response into the cell's outcome (default: its status). */
  outcome?: (res: Response, t: Target) => Promise<Cell>;
  expect: Expect;
}

// Shorthands for the common columns.
const R = (c: Cell, o: Cell) => [c, o] as const;
const ANY = (c: Cell) => [c, c] as const;
/** Read a thread's data: owner, and managers/admins (supervision). Others' threads are 404. */
const READ = (ok: number): Expect => ({ customer: R(ok, 404), associate: R(ok, 404), manager: ANY(ok), admin: ANY(ok), ml: R(null, 404), none: 401, bad: 401 });
/** Change a thread: owner or admin; a manager may read others' threads (403 on change), others cannot see them (404). */
const WRITE = (ok: number): Expect => ({ customer: R(ok, 404), associate: R(ok, 404), manager: R(ok, 403), admin: ANY(ok), ml: R(null, 404), none: 401, bad: 401 });
/** Start a turn: like WRITE, but ml keys never converse (403 before any lookup). */
const CONVERSE = (ok: number): Expect => ({ ...WRITE(ok), ml: R(null, 403) });
/** No object involved: every role gets `ok` except where listed. */
const ALL = (ok: number, except: Partial<Record<Role, number>> = {}): Expect => ({
  ...(Object.fromEntries(ROLES.map((r) => [r, ANY(except[r] ?? ok)])) as Record<Role, readonly [Cell, Cell]>),
  none: 401,
  bad: 401,
});
const PUBLIC = (ok: number): Expect => ({ ...ALL(ok), none: ok, bad: ok });
const OPERATOR = ALL(200, { customer: 403, associate: 403 });

const userTurn = (content: string) => ({ assistant_id: "aisle", input: { messages: [{ role: "user", content }] } });
const th = (t: Target) => `/threads/${t.threadId}`;
const run = (t: Target) => `/threads/${t.threadId}/runs/${t.runId}`;

const TABLE: Row[] = [
  // system: public by design (probes, scrapers, SDK discovery); no data about any thread.
  { name: "GET /ok", method: "GET", path: () => "/ok", expect: PUBLIC(200) },
  { name: "GET /info", method: "GET", path: () => "/info", expect: PUBLIC(200) },
  { name: "GET /health", method: "GET", path: () => "/health", expect: PUBLIC(200) },
  { name: "GET /ready", method: "GET", path: () => "/ready", expect: PUBLIC(200) },
  { name: "GET /metrics", method: "GET", path: () => "/metrics", expect: PUBLIC(200) },
  { name: "GET /openapi.json", method: "GET", path: () => "/openapi.json", expect: PUBLIC(200) },

  // threads
  { name: "POST /threads", method: "POST", path: () => "/threads", body: () => ({}), expect: ALL(200, { ml: 403 }) },
  {
    name: "POST /threads/search (is the thread listed)",
    method: "POST",
    path: () => "/threads/search",
    body: (t) => ({ ids: [t.threadId] }),
    outcome: async (res, t) => (res.status !== 200 ? res.status : ((await res.json()) as Array<{ thread_id: string }>).some((x) => x.thread_id === t.threadId) ? "listed" : "unlisted"),
    expect: { customer: R("listed", "unlisted"), associate: R("listed", "unlisted"), manager: ANY("listed"), admin: ANY("listed"), ml: R(null, "unlisted"), none: 401, bad: 401 },
  },
  { name: "POST /threads/count", method: "POST", path: () => "/threads/count", body: () => ({}), expect: ALL(200) },
  { name: "GET /threads/:id", method: "GET", path: th, expect: READ(200) },
  { name: "PATCH /threads/:id", method: "PATCH", path: th, body: () => ({ metadata: { tag: "x" } }), expect: WRITE(200) },
  { name: "DELETE /threads/:id", method: "DELETE", path: th, fresh: "turn", expect: WRITE(204) },

  // state and history; only an admin writes state directly (403 for every other role, before any lookup)
  { name: "GET /threads/:id/state", method: "GET", path: (t) => `${th(t)}/state`, expect: READ(200) },
  { name: "GET /threads/:id/state/:checkpoint", method: "GET", path: (t) => `${th(t)}/state/${t.checkpointId}`, expect: READ(200) },
  { name: "POST /threads/:id/state/checkpoint", method: "POST", path: (t) => `${th(t)}/state/checkpoint`, body: (t) => ({ checkpoint: { checkpoint_id: t.checkpointId } }), expect: READ(200) },
  {
    name: "POST /threads/:id/state (update)",
    method: "POST",
    path: (t) => `${th(t)}/state`,
    body: () => ({ values: { approved: true } }),
    fresh: "turn",
    expect: { customer: ANY(403), associate: ANY(403), manager: ANY(403), admin: ANY(200), ml: R(null, 403), none: 401, bad: 401 },
  },
  {
    name: "POST /threads/:id/state (fork from a checkpoint)",
    method: "POST",
    path: (t) => `${th(t)}/state`,
    body: (t) => ({ values: { approved: false }, checkpoint_id: t.checkpointId }),
    fresh: "turn",
    expect: { customer: ANY(403), associate: ANY(403), manager: ANY(403), admin: ANY(200), ml: R(null, 403), none: 401, bad: 401 },
  },
  { name: "POST /threads/:id/history", method: "POST", path: (t) => `${th(t)}/history`, body: () => ({ limit: 2 }), expect: READ(200) },
  { name: "GET /threads/:id/history", method: "GET", path: (t) => `${th(t)}/history`, expect: READ(200) },

  // runs
  { name: "POST /threads/:id/runs", method: "POST", path: (t) => `${th(t)}/runs`, body: () => userTurn("hello"), expect: CONVERSE(200) },
  { name: "POST /threads/:id/runs/stream", method: "POST", path: (t) => `${th(t)}/runs/stream`, body: () => userTurn("hello"), expect: CONVERSE(200) },
  { name: "POST /threads/:id/runs/wait", method: "POST", path: (t) => `${th(t)}/runs/wait`, body: () => userTurn("hello"), expect: CONVERSE(200) },
  { name: "GET /threads/:id/runs", method: "GET", path: (t) => `${th(t)}/runs`, expect: READ(200) },
  { name: "GET /threads/:id/runs/:run", method: "GET", path: run, expect: READ(200) },
  { name: "GET /threads/:id/runs/:run/join", method: "GET", path: (t) => `${run(t)}/join`, expect: READ(200) },
  { name: "GET /threads/:id/runs/:run/stream", method: "GET", path: (t) => `${run(t)}/stream`, expect: READ(200) },
  // Cancel: owner, admin, or a manager (who may stop a stuck escalation anywhere).
  { name: "POST /threads/:id/runs/:run/cancel", method: "POST", path: (t) => `${run(t)}/cancel`, expect: { ...READ(202), manager: ANY(202) } },
  { name: "DELETE /threads/:id/runs/:run", method: "DELETE", path: run, fresh: "turn", expect: WRITE(204) },
  // Escalations: only a manager resumes one, on any thread it can see; nobody else, whoever owns the thread.
  {
    name: "resume an escalation (runs/wait with command.resume)",
    method: "POST",
    path: (t) => `${th(t)}/runs/wait`,
    body: () => ({ assistant_id: "aisle", command: { resume: { approved: true } } }),
    fresh: "escalated",
    expect: { customer: ANY(403), associate: ANY(403), manager: ANY(200), admin: ANY(403), ml: R(null, 403), none: 401, bad: 401 },
  },
  {
    name: "new input on a thread awaiting a manager",
    method: "POST",
    path: (t) => `${th(t)}/runs/wait`,
    body: () => userTurn("hello again"),
    fresh: "escalated",
    expect: { customer: R(409, 404), associate: R(409, 404), manager: R(200, 403), admin: ANY(200), ml: R(null, 403), none: 401, bad: 401 },
  },

  // feedback: anyone who may read the thread may rate its turns
  { name: "POST /threads/:id/feedback", method: "POST", path: (t) => `${th(t)}/feedback`, body: (t) => ({ run_id: t.runId, rating: "up" }), expect: READ(201) },

  // assistants: the one deployed assistant, readable by every role
  { name: "POST /assistants/search", method: "POST", path: () => "/assistants/search", body: () => ({}), expect: ALL(200) },
  { name: "POST /assistants/count", method: "POST", path: () => "/assistants/count", body: () => ({}), expect: ALL(200) },
  { name: "GET /assistants/:id", method: "GET", path: () => "/assistants/aisle", expect: ALL(200) },
  { name: "GET /assistants/:id/graph", method: "GET", path: () => "/assistants/aisle/graph", expect: ALL(200) },
  { name: "GET /assistants/:id/schemas", method: "GET", path: () => "/assistants/aisle/schemas", expect: ALL(200) },
  { name: "PATCH /assistants/:id (immutable)", method: "PATCH", path: () => "/assistants/aisle", body: () => ({ name: "x" }), expect: ALL(405) },

  // one-call chat
  { name: "POST /v1/chat (new thread)", method: "POST", path: () => "/v1/chat", body: () => ({ message: "hello" }), expect: ALL(200, { ml: 403 }) },
  { name: "POST /v1/chat (existing thread)", method: "POST", path: () => "/v1/chat", body: (t) => ({ thread_id: t.threadId, message: "hello" }), expect: CONVERSE(200) },

  // studio read-outs: identity and metadata for any key; traffic aggregates for operators only
  { name: "GET /studio/api/whoami", method: "GET", path: () => "/studio/api/whoami", expect: ALL(200) },
  { name: "GET /studio/api/meta", method: "GET", path: () => "/studio/api/meta", expect: ALL(200) },
  { name: "GET /studio/api/monitoring", method: "GET", path: () => "/studio/api/monitoring", expect: OPERATOR },
  { name: "GET /studio/api/assistants/:id/nodes", method: "GET", path: () => "/studio/api/assistants/aisle/nodes", expect: OPERATOR },
  { name: "GET /studio/api/threads/:id/audit", method: "GET", path: (t) => `/studio/api/threads/${t.threadId}/audit`, expect: READ(200) },
  { name: "GET /studio/api/threads/:id/turns", method: "GET", path: (t) => `/studio/api/threads/${t.threadId}/turns`, expect: READ(200) },
];

let h: ServerHarness;
const shared = new Map<string, Target>();
/**
 * The database's fingerprint after the last refused request, kept only while nothing may have
 * written since (refused requests must not; a new target or any other cell clears it). The next
 * refused cell starts from it instead of hashing every table again. Stale only if something wrote
 * between cells, and then the cell fails: it cannot pass wrongly.
 */
let unchanged: Record<string, string> | undefined;

/** A thread owned by `owner` (a role, or "other" = a second customer) with one finished turn, and its recorded trace. */
async function makeTarget(owner: Role | "other", kind: "turn" | "escalated" = "turn"): Promise<Target> {
  unchanged = undefined;
  const key = owner === "other" ? "customer2" : owner;
  const client = h.client(key);
  const thread = await client.threads.create();
  await client.runs.wait(thread.thread_id, "aisle", { input: { messages: [{ role: "user", content: kind === "escalated" ? "I want a refund" : "hello" }] } });
  const [r] = await client.runs.list(thread.thread_id);
  const state = await client.threads.getState(thread.thread_id);
  // The stand-in graph records no turn traces; feedback needs one to attach to.
  await h.db.pool.query(
    `INSERT INTO turn_traces (trace_id, thread_id, turn, run_id, schema_version, started_at, ended_at, outcome, passed, trace)
     VALUES (gen_random_uuid(), $1, 0, $2, 1, now(), now(), 'completed', true, $3)`,
    [thread.thread_id, r!.run_id, JSON.stringify({ messages: [{ role: "user", content: "hello" }] })],
  );
  if (kind === "escalated") expect(state.next, "fixture should await a manager").toContain("approve");
  await waitForIdleRuns(h.db.pool);
  return { threadId: thread.thread_id, runId: r!.run_id, checkpointId: String(state.checkpoint?.checkpoint_id) };
}

async function targetFor(row: Row, owner: Role | "other"): Promise<Target> {
  if (row.fresh) return makeTarget(owner, row.fresh);
  if (!shared.has(owner)) shared.set(owner, await makeTarget(owner));
  return shared.get(owner)!;
}

const credential = (caller: Caller): Record<string, string> =>
  caller === "none" ? {} : { "x-api-key": caller === "bad" ? "aisle_0123456789ab_thisIsNotAKeyThisIsNotAKey" : h.keys[caller] };

async function runCell(row: Row, caller: Caller, ownership: "own" | "other", expected: Cell) {
  // Whose object: the caller's own, or another customer's. No key / a bad key are tried on a customer's;
  // ml cannot own threads, so its "own" cells exist only for rows without an object (any target will do).
  const owner: Role | "other" = ownership === "other" ? "other" : caller === "none" || caller === "bad" || caller === "ml" ? "customer" : caller;
  const t = await targetFor(row, owner);
  // Only a cell that expects a refusal compares fingerprints (any other cell whose request is
  // refused has already failed on its status), so only it needs the "before".
  const refusal = typeof expected === "number" && expected >= 400;
  const before = refusal ? (unchanged ?? (await tableFingerprints(h.db.pool))) : undefined;
  unchanged = undefined;
  const body = row.body?.(t);
  const res = await fetch(`${h.url}${row.path(t)}`, {
    method: row.method,
    headers: { ...credential(caller), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const got = row.outcome ? await row.outcome(res.clone(), t) : res.status;
  const text = await res.text();
  expect(got, `${row.name} as ${caller} on ${ownership} → ${res.status} ${text.slice(0, 300)}`).toBe(expected);
  if (res.status >= 400) {
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(JSON.parse(text)).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const after = await tableFingerprints(h.db.pool);
    expect(after, `a refused request changed the database: ${row.name} as ${caller}`).toEqual(before);
    unchanged = after;
  } else {
    await waitForIdleRuns(h.db.pool);
  }
}

beforeAll(async () => {
  h = await startServerHarness({ config: { rateLimitPerMinute: 1_000_000 } });
});
afterAll(async () => {
  await h?.close();
});

describe("authorisation matrix", () => {
  it("covers every route the server has (a new route needs a row)", () => {
    type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const routes: string[] = [];
    const walk = (stack: Layer[]) => {
      for (const l of stack) {
        if (l.route) for (const p of [l.route.path].flat()) for (const m of Object.keys(l.route.methods)) routes.push(`${m === "_all" ? "ALL" : m.toUpperCase()} ${p}`);
        else if (l.handle?.stack) walk(l.handle.stack);
      }
    };
    walk((h.server.app as unknown as { router: { stack: Layer[] } }).router.stack);
    const covered = new Set(TABLE.map((r) => `${r.method} ${r.path({ threadId: ":thread_id", runId: ":run_id", checkpointId: ":checkpoint_id" })}`.replace("/assistants/aisle", "/assistants/:assistant_id")));
    // Not in the matrix on purpose: the studio's static page (public, no data), stateless runs and
    // assistant subgraphs (404 / fixed empty answers for every caller), catch-alls for unsupported methods.
    const exempt = /^(GET \/studio(\/app\.js)?|ALL \/runs.*|GET \/assistants\/:assistant_id\/subgraphs|ALL \/assistants(\/:assistant_id)?)$/;
    const missing = [...new Set(routes)].filter((r) => !covered.has(r) && !exempt.test(r));
    expect(missing).toEqual([]);
  });

  for (const row of TABLE) {
    describe(row.name, () => {
      for (const caller of [...ROLES, "none", "bad"] as const) {
        const cells: Array<["own" | "other", Cell]> =
          caller === "none" || caller === "bad" ? [["own", row.expect[caller]]] : [["own", row.expect[caller][0]], ["other", row.expect[caller][1]]];
        for (const [ownership, expected] of cells) {
          if (expected === null) continue;
          it(`${caller} · ${caller === "none" || caller === "bad" ? "any" : ownership} → ${expected}`, () => runCell(row, caller, ownership, expected));
        }
      }
    });
  }
});
