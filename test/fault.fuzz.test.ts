import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { ROUTES } from "../server/openapi.ts";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";
import { tableFingerprints, waitForIdleRuns } from "./support/dbSnapshot.ts";

/**
 * Fuzzes every route the server has with fast-check: malformed, oversized and wrong-typed JSON,
 * bad ids, huge messages, invalid UTF-8, wrong content types and wrong methods. For every request:
 * never a 5xx; a 4xx is JSON `{error, message}` without a stack; a rejected request changes no row
 * in any table; and the server still answers `/ok` after each route's batch.
 *
 * The route list is read from the Express app itself (every mounted route layer), so a route added
 * later is fuzzed without touching this file; the OpenAPI route table is checked against it.
 * Fixed seed: a failure prints the request and reproduces with the same seed.
 */

const SEED = Number(process.env.AISLE_FUZZ_SEED ?? 20261123);
const RUNS_PER_ROUTE = Number(process.env.AISLE_FUZZ_RUNS ?? 14);

interface RouteSpec {
  method: string; // upper case, or ALL
  path: string; // Express syntax: /threads/:thread_id, /runs/*path
}

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** Every route layer mounted on the app (routers included), as method + path. */
function expressRoutes(app: unknown): RouteSpec[] {
  const out: RouteSpec[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) for (const m of Object.keys(layer.route.methods)) out.push({ method: m === "_all" ? "ALL" : m.toUpperCase(), path: p });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as { router: { stack: Layer[] } }).router.stack);
  return out;
}

interface Fixtures {
  threadId: string;
  runId: string;
  checkpointId: string;
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Whether the body is known to be invalid UTF-8 (must be refused). */
  badUtf8?: boolean;
}

// ---- generators ----

const nastyStrings = fc.constantFrom(
  "",
  " ",
  "null",
  "undefined",
  "0",
  "-1",
  "NaN",
  "' OR '1'='1",
  "1; DROP TABLE threads; --",
  "\" OR \"\"=\"",
  "../../../../etc/passwd",
  "..%2f..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f",
  "/",
  "\\..\\..\\windows",
  "\u0000",
  "a\u0000b",
  "\u0000\u0000\u0000",
  "order #W123\u0000",
  "\ud800",
  "\udfff\ud800",
  "hi \ud83d",
  "x\udc00y",
  "\u202e\u202d",
  "😀".repeat(50),
  "Ω≈ç√∫˜µ≤≥÷",
  "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "__proto__",
  "constructor",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "aisle",
  "x".repeat(9000),
);

const anyString = fc.oneof(
  { weight: 3, arbitrary: nastyStrings },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

/** Deeply nested arrays/objects: PostgreSQL jsonb and recursive code paths have depth limits. */
const deepValue = fc.integer({ min: 50, max: 3000 }).map((depth) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
});

/** Objects whose keys and values are hostile strings, a few levels deep (metadata, config, input). */
const hostileObject = fc.object({ key: anyString, values: [anyString, fc.integer(), fc.boolean(), fc.constant(null)], maxDepth: 2, maxKeys: 4 });

const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 2, arbitrary: hostileObject },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [null], { "": "" }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(anyString, anyString, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.array(anyString, { maxLength: 4 }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.constant({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }) },
);

/** Field names the server's schemas use, so wrong-typed values land on real fields. */
const FIELDS = [
  "thread_id", "metadata", "if_exists", "ids", "status", "values", "limit", "offset", "sort_by", "sort_order", "select",
  "checkpoint", "checkpoint_id", "as_node", "before", "assistant_id", "input", "command", "stream_mode", "config",
  "multitask_strategy", "interrupt_before", "on_disconnect", "if_not_exists", "durability", "message", "rating",
  "corrected_intent", "run_id", "label", "corrected_reply", "graph_id", "name",
];

/** A plausible, valid body per route, for mutations that reach past the first validation step. */
function baseBody(route: RouteSpec, fx: Fixtures): Record<string, unknown> {
  const p = route.path;
  const userInput = { messages: [{ role: "user", content: "hello" }] };
  if (p === "/v1/chat") return { message: "hello" };
  if (p.endsWith("/feedback")) return { rating: "up" };
  if (/\/runs(\/stream|\/wait)?$/.test(p)) return { assistant_id: "aisle", input: userInput };
  if (p.endsWith("/state/checkpoint")) return { checkpoint: { checkpoint_id: fx.checkpointId } };
  if (p.endsWith("/state")) return { values: { approved: true } };
  if (p.endsWith("/history")) return { limit: 3 };
  if (p === "/threads") return { metadata: { source: "fuzz" } };
  if (p.startsWith("/threads/:thread_id") && route.method === "PATCH") return { metadata: { k: "v" } };
  return {};
}

const bodyFor = (route: RouteSpec, fx: Fixtures): fc.Arbitrary<{ body: string | Uint8Array; contentType?: string; badUtf8?: boolean }> => {
  const base = baseBody(route, fx);
  const json = (v: unknown) => ({ body: JSON.stringify(v) ?? "null", contentType: "application/json" });
  // One field of a valid body replaced (or added) with a wrong-typed or hostile value.
  const field = fc.constantFrom(...new Set([...Object.keys(base), ...FIELDS]));
  // One leaf (or container) of the valid body replaced: reaches the deepest validation and storage.
  const leaves: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    if (path.length) leaves.push(path);
    if (v && typeof v === "object") for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
  };
  walk(base, []);
  const setAt = (path: string[], v: unknown) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    let o = copy as Record<string, unknown>;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[path.at(-1)!] = v;
    return copy;
  };
  const leafMutated = leaves.length ? fc.tuple(fc.constantFrom(...leaves), fc.oneof(nastyStrings, badValue)).map(([p, v]) => json(setAt(p, v))) : badValue.map(json);
  // Text PostgreSQL cannot store (NUL; jsonb also refuses unpaired surrogates), as a leaf value or a key.
  const unstorable = fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom("\u0000", "\ud800", "\udc00", "\udbff"), fc.string({ maxLength: 8 }))
    .map(([a, bad, b]) => a + bad + b);
  const unstorableText = leaves.length
    ? fc.oneof(
        fc.tuple(fc.constantFrom(...leaves), unstorable).map(([p, v]) => json(setAt(p, v))),
        fc.tuple(fc.constantFrom("metadata", ...leaves.map((l) => l[0]!)), unstorable).map(([k, key]) => json({ ...base, [k]: { [key]: 1 } })),
      )
    : fc.tuple(fc.constantFrom("metadata", "values", "ids", "name"), unstorable).map(([k, v]) => json({ [k]: { [v]: v } }));
  const mutated = fc.oneof(
    leafMutated,
    fc.tuple(field, badValue).map(([k, v]) => json({ ...base, [k]: v })),
    // Right type, hostile content: an object field holding hostile keys/values.
    fc.tuple(field, anyString, badValue).map(([k, key, v]) => json({ ...base, [k]: { [key]: v } })),
  );
  // A few fields at once, nested input shapes for runs.
  const wrongShape = fc.oneof(
    badValue.map(json),
    fc.dictionary(fc.constantFrom(...FIELDS), badValue, { maxKeys: 5 }).map(json),
    badValue.map((v) => json({ ...base, input: { messages: [{ role: "user", content: v }] } })),
    badValue.map((v) => json({ ...base, input: { messages: [v] } })),
    badValue.map((v) => json({ ...base, command: { resume: v } })),
    badValue.map((v) => json({ ...base, config: { configurable: { [String(v).slice(0, 20) || "k"]: v } } })),
  );
  const malformed = fc
    .constantFrom("{", "{\"a\":", "[1,2", "{'a':1}", "{\"a\":1,}", "undefined", "NaN", "\"unterminated", "{\"a\":1}{\"b\":2}", "\u0000", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "1e999999", " ", "\ufeff{}")
    .map((body) => ({ body, contentType: "application/json" }));
  const oversized = fc.constantFrom(300_000, 1_000_000).map((n) => json({ ...base, message: "m".repeat(n), metadata: { pad: "p".repeat(n) } }));
  const hugeMessage = fc.integer({ min: 8001, max: 60_000 }).map((n) => json({ ...base, message: "x".repeat(n), input: { messages: [{ role: "user", content: "y".repeat(n) }] } }));
  // Raw bytes in a string field, sent as JSON: the server must not guess at broken encodings.
  const invalidUtf8 = fc
    .tuple(
      fc.oneof(
        fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80]),
        fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 8 }),
      ),
      fc.constantFrom(...new Set(["message", ...Object.keys(base)])),
    )
    .map(([bytes, field]) => {
      const text = JSON.stringify({ ...base, [field]: "@@BYTES@@" });
      const [a, b] = text.split("@@BYTES@@");
      const body = Buffer.concat([Buffer.from(a!), Buffer.from(bytes), Buffer.from(b!)]);
      return { body: new Uint8Array(body), contentType: "application/json", badUtf8: !isUtf8(body) };
    });
  const wrongContentType = fc
    .tuple(
      fc.constantFrom(
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/json; charset=latin1",
        "application/json; charset=utf-16",
        "application/vnd.api+json",
        "",
        "application/json; charset=\u00e9",
      ),
      fc.constantFrom(JSON.stringify(base), "a=1&b=2", "<x/>", "--x\r\n\r\n--x--"),
    )
    .map(([contentType, body]) => ({ body, contentType: contentType || undefined }));
  return fc.oneof(
    { weight: 5, arbitrary: mutated },
    { weight: 3, arbitrary: unstorableText },
    { weight: 3, arbitrary: wrongShape },
    { weight: 2, arbitrary: malformed },
    { weight: 1, arbitrary: oversized },
    { weight: 1, arbitrary: hugeMessage },
    { weight: 2, arbitrary: invalidUtf8 },
    { weight: 2, arbitrary: wrongContentType },
  );
};

/** A path parameter: usually a real id (to get past lookups), else nonexistent or hostile. */
const paramFor = (name: string, fx: Fixtures): fc.Arbitrary<string> => {
  const valid: Record<string, string> = { thread_id: fx.threadId, run_id: fx.runId, checkpoint_id: fx.checkpointId, assistant_id: "aisle" };
  const encoded = anyString.map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "?"));
    }
  });
  return fc.oneof(
    { weight: 14, arbitrary: fc.constant(valid[name] ?? "x") },
    { weight: 1, arbitrary: fc.constant(randomUUID()) },
    { weight: 3, arbitrary: encoded },
    // Raw (unencoded) hostile segments and broken percent-encodings.
    { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%ff%fe", "%c0%af", "%ed%a0%80", "%00", "..", ".", "%2e%2e", "a%2Fb", "%E0%A4%A") },
  );
};

const queryArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom("limit", "offset", "status", "stream_mode", "cancel_on_disconnect", "wait", "action", "reason", "window_minutes", "xray", "subgraphs", "select", "namespace", "x"),
          anyString,
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => {
        const q = new URLSearchParams();
        for (const [k, v] of pairs) q.append(k, v.replace(/[\ud800-\udfff]/g, "?").slice(0, 2000));
        return `?${q}`;
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom("?limit[]=1&limit[]=2", "?window_minutes=1e400", "?%ff=%fe", "?a=%", "?stream_mode=values&stream_mode=nope") },
);

function requestFor(route: RouteSpec, fx: Fixtures): fc.Arbitrary<FuzzRequest> {
  const names = [...route.path.matchAll(/[:*](\w+)/g)].map((m) => m[1]!);
  const methods = route.method === "ALL" ? ["GET", "POST", "PUT", "PATCH", "DELETE"] : [route.method];
  const hasBody = (m: string) => ["POST", "PUT", "PATCH", "DELETE"].includes(m);
  return fc
    .record({
      params: fc.tuple(...names.map((n) => paramFor(n, fx))),
      method: fc.constantFrom(...methods),
      query: queryArb,
      // Mostly the thread's owner and an admin, who get past access checks to validation and storage.
      key: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("customer", "admin") }, { weight: 3, arbitrary: fc.constantFrom("manager", "associate", "ml") }, { weight: 1, arbitrary: fc.constantFrom("none", "bad") }),
      body: bodyFor(route, fx),
      lastEventId: fc.option(anyString.map((s) => s.replace(/[^\x20-\x7e]/g, "").slice(0, 200)), { nil: undefined }),
      accept: fc.constantFrom(undefined, "text/event-stream", "application/json", "*/*", "image/png"),
    })
    .map(({ params, method, query, key, body, lastEventId, accept }) => {
      let i = 0;
      const path = route.path.replace(/[:*]\w+/g, () => params[i++]!) + query;
      const headers: Record<string, string> = {};
      if (key !== "none") headers["x-api-key"] = key;
      if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
      if (accept) headers.accept = accept;
      if (!hasBody(method)) return { method, path, headers };
      if (body.contentType) headers["content-type"] = body.contentType;
      return { method, path, headers, body: body.body, badUtf8: body.badUtf8 };
    });
}

// ---- the harness ----

let h: ServerHarness;
let fx: Fixtures;
let fingerprint: Record<string, string>;
let largeTablesBefore: Record<string, string>;
let requestsSent = 0;

async function send(req: FuzzRequest) {
  const headers = { ...req.headers };
  if (headers["x-api-key"]) headers["x-api-key"] = headers["x-api-key"] === "bad" ? "aisle_000000000000_notarealkeynotarealkey00" : h.keys[headers["x-api-key"] as keyof ServerHarness["keys"]];
  requestsSent++;
  const res = await fetch(`${h.url}${req.path}`, { method: req.method, headers, body: req.body as BodyInit | undefined, redirect: "manual", signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", text };
}

const describeReq = (req: FuzzRequest) =>
  `${req.method} ${req.path.slice(0, 200)} key=${req.headers["x-api-key"] ?? "-"} ct=${req.headers["content-type"] ?? "-"} body=${
    req.body === undefined ? "-" : typeof req.body === "string" ? JSON.stringify(req.body.slice(0, 200)) : `bytes(${req.body.length})`
  }`;

/** Sends one request and checks the properties every response must have. */
async function check(req: FuzzRequest): Promise<void> {
  const res = await send(req);
  const where = `${describeReq(req)} → ${res.status} ${res.text.slice(0, 200)}`;
  expect(res.status, where).toBeLessThan(500);
  if (req.badUtf8) expect(res.status, `invalid UTF-8 must be refused: ${where}`).toBeGreaterThanOrEqual(400);
  if (res.status >= 400 && req.method !== "HEAD") {
    expect(res.contentType, where).toMatch(/application\/json/);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(typeof body.error, where).toBe("string");
    expect(typeof body.message, where).toBe("string");
    expect(body.stack, where).toBeUndefined();
    expect(res.text, where).not.toMatch(/\bat .+\.(ts|js):\d+/);
    // A refused request wrote nothing, anywhere.
    expect(await tableFingerprints(h.db.pool), `state changed by a refused request: ${where}`).toEqual(fingerprint);
  } else {
    // An accepted request may write (a valid mutation); let its run finish and re-baseline.
    await waitForIdleRuns(h.db.pool);
    fingerprint = await tableFingerprints(h.db.pool);
  }
}

async function stillUp() {
  const ok = await fetch(`${h.url}/ok`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ ok: true });
}

beforeAll(async () => {
  h = await startServerHarness({ config: { rateLimitPerMinute: 1_000_000 } });
  // A thread with a finished turn (so run, checkpoint and state lookups succeed), owned by `customer`.
  const client = h.client("customer");
  const thread = await client.threads.create();
  await client.runs.wait(thread.thread_id, "aisle", { input: { messages: [{ role: "user", content: "hello" }] } });
  const [run] = await client.runs.list(thread.thread_id);
  const state = await client.threads.getState(thread.thread_id);
  fx = { threadId: thread.thread_id, runId: run!.run_id, checkpointId: String(state.checkpoint?.checkpoint_id) };
  await waitForIdleRuns(h.db.pool);
  fingerprint = await tableFingerprints(h.db.pool);
  largeTablesBefore = await tableFingerprints(h.db.pool, "large");
});

afterAll(async () => {
  await h?.close();
});

const routes = () => {
  const seen = new Set<string>();
  return expressRoutes(h.server.app).filter((r) => {
    const k = `${r.method} ${r.path}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
};

describe("fuzzing every route", () => {
  it("reads the route table from the server, and it covers every documented route", () => {
    const table = routes();
    expect(table.length).toBeGreaterThan(30);
    const have = new Set(table.map((r) => `${r.method} ${r.path}`));
    for (const doc of ROUTES) expect(have, `${doc.method} ${doc.path}`).toContain(`${doc.method.toUpperCase()} ${doc.path.replace(/\{(\w+)\}/g, ":$1")}`);
  });

  it("never answers 5xx, always explains a 4xx in JSON, writes nothing when it refuses, stays up", async () => {
    const table = routes();
    let seed = SEED;
    for (const route of table) {
      await fc.assert(fc.asyncProperty(requestFor(route, fx), check), { numRuns: RUNS_PER_ROUTE, seed: seed++, endOnFailure: true, verbose: 1 });
      await stillUp();
    }
    expect(requestsSent).toBeGreaterThanOrEqual(table.length * RUNS_PER_ROUTE);
  });

  it("answers a wrong method on every path with a 4xx JSON error and no write", async () => {
    const table = routes();
    const byPath = new Map<string, Set<string>>();
    for (const r of table) byPath.set(r.path, new Set([...(byPath.get(r.path) ?? []), r.method]));
    for (const [path, methods] of byPath) {
      if (methods.has("ALL")) continue;
      const concrete = path
        .replace(":thread_id", fx.threadId)
        .replace(":run_id", fx.runId)
        .replace(":checkpoint_id", fx.checkpointId)
        .replace(":assistant_id", "aisle");
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (methods.has(method)) continue;
        const body = ["GET"].includes(method) ? undefined : JSON.stringify({ metadata: { wrong: "method" } });
        await check({ method, path: concrete, headers: { "x-api-key": "admin", ...(body ? { "content-type": "application/json" } : {}) }, body });
      }
    }
    await stillUp();
  });

  it("left the large generated tables (store inventory) untouched across the whole run", async () => {
    // Fingerprinted once around the run, not per request: nothing the fuzzer sends may write them.
    expect(Object.keys(largeTablesBefore).length + Object.keys(fingerprint).length).toBeGreaterThan(20);
    expect(await tableFingerprints(h.db.pool, "large")).toEqual(largeTablesBefore);
  });
});
