import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";
import { createAisleRuntime } from "../graphs/runtime.ts";
import { corsHeaders, parseCorsOrigins } from "../server/cors.ts";

/**
 * The official React `useStream` hook (`@langchain/langgraph-sdk/react`), unchanged, in a real
 * browser (Debian's Chromium through playwright-core) on a page served from its own origin, against
 * a real Aisle server running Aisle's turn graph on PostgreSQL — what a web or mobile-web shop
 * builds. The page is test/fixtures/usestream/app.tsx, bundled here with esbuild.
 */
const hasChromium = chromiumAvailable("useStream browser tests");

const APP = fileURLToPath(new URL("./fixtures/usestream/app.tsx", import.meta.url));
const QUESTION = "Is the T-shirt in stock at store 12?";

interface PageLog {
  loading: boolean[];
  partialReplyLengths: number[];
  threadIds: string[];
  runs: string[];
  errors: string[];
}
type Rendered = Array<{ type: string; text: string }>;

/** The web shop: its own origin (another port), serving the bundled page and nothing else. */
async function startShop(): Promise<{ server: Server; port: number }> {
  const { build } = await import("esbuild");
  const bundle = await build({
    entryPoints: [APP],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    // React picks its build from process.env.NODE_ENV, which a browser does not have.
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "silent",
  });
  const js = bundle.outputFiles[0]!.text;
  const html = '<!doctype html><meta charset="utf-8"><title>shop</title><div id="root"></div><script type="module" src="/app.js"></script>';
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/app.js") res.writeHead(200, { "content-type": "text/javascript" }).end(js);
    else if (path === "/") res.writeHead(200, { "content-type": "text/html" }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  return { server, port: typeof addr === "object" && addr ? addr.port : 0 };
}

describe("CORS rules (pure)", () => {
  it("allows any origin by default and exposes Content-Location (the SDK reads the run id from it)", () => {
    expect(parseCorsOrigins(undefined)).toBe("*");
    const simple = corsHeaders("*", { origin: "https://shop.example", method: "POST" })!;
    expect(simple.preflight).toBe(false);
    expect(simple.headers["Access-Control-Allow-Origin"]).toBe("*");
    expect(simple.headers["Access-Control-Expose-Headers"]).toMatch(/(^|, )Content-Location(,|$)/);
    const pre = corsHeaders("*", { origin: "https://shop.example", method: "OPTIONS", requestMethod: "POST", requestHeaders: "content-type,x-api-key" })!;
    expect(pre.preflight).toBe(true);
    expect(pre.headers["Access-Control-Allow-Headers"]).toBe("content-type,x-api-key");
    expect(pre.headers["Access-Control-Allow-Methods"]).toContain("POST");
    expect(corsHeaders("*", { method: "GET" })).toBeNull();
  });

  it("with a list, answers only listed origins (echoing the origin, Vary: Origin); `none` allows none; bad entries are refused at start", () => {
    const list = parseCorsOrigins("https://shop.example, http://localhost:5173/");
    expect(list).toEqual(["https://shop.example", "http://localhost:5173"]);
    expect(corsHeaders(list, { origin: "http://localhost:5173", method: "GET" })!.headers).toMatchObject({ "Access-Control-Allow-Origin": "http://localhost:5173", Vary: "Origin" });
    expect(corsHeaders(list, { origin: "https://evil.example", method: "GET" })).toBeNull();
    expect(corsHeaders(parseCorsOrigins("none"), { origin: "https://shop.example", method: "GET" })).toBeNull();
    expect(() => parseCorsOrigins("https://shop.example/app")).toThrow(/AISLE_CORS_ORIGINS.*shop\.example\/app/);
    expect(() => parseCorsOrigins("shop.example")).toThrow(/AISLE_CORS_ORIGINS/);
  });
});

describe.skipIf(!hasChromium)("React useStream in a browser against Aisle", () => {
  let h: ServerHarness;
  let browser: Browser;
  let shop: { server: Server; port: number };
  let shopOrigin: string;

  beforeAll(async () => {
    shop = await startShop();
    shopOrigin = `http://127.0.0.1:${shop.port}`;
    h = await startServerHarness({
      runtime: (db) => createAisleRuntime({ pool: db.pool, databaseUrl: db.url, llm: null }),
      // How an operator deploys for a web shop: only the shop's origin may call the API from a browser.
      config: { corsOrigins: [shopOrigin] },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await new Promise((r) => shop?.server.close(r));
  });

  /** Opens the shop page with these query parameters; collects page errors and the API requests it made. */
  async function openShop(query: Record<string, string>, origin = shopOrigin) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    const apiRequests: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("request", (r) => {
      if (r.url().startsWith(h.url)) apiRequests.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${origin}/?${new URLSearchParams({ api: h.url, ...query })}`);
    await page.waitForSelector("#composer");
    return { page, pageErrors, apiRequests };
  }
  const pageLog = (page: Page) => page.evaluate(() => (window as unknown as { usestreamLog: PageLog }).usestreamLog);
  const rendered = (page: Page): Promise<Rendered> =>
    page.locator("#messages li").evaluateAll((els) => els.map((e) => ({ type: (e as HTMLElement).dataset.type!, text: e.textContent ?? "" })));
  /** Types and sends a message like a user, then waits for the hook to finish the run. */
  async function send(page: Page, text: string) {
    await page.fill("#input", text);
    await page.click("#send");
    await page.waitForSelector('#status[data-loading="true"]', { timeout: 10_000 }).catch(() => {});
    await page.waitForSelector('#status[data-loading="false"]', { timeout: 30_000 });
  }
  /** What the server holds for the thread, as the page renders it (type + text of each message). */
  async function serverMessages(threadId: string, key = "customer"): Promise<Rendered> {
    const state = await h.client(key).threads.getState<{ messages: Array<{ type: string; content: unknown }> }>(threadId);
    const text = (c: unknown) => (typeof c === "string" ? c : (c as Array<{ text?: string }>).map((p) => p.text ?? "").join(""));
    return state.values.messages.map((m) => ({ type: m.type, text: text(m.content) }));
  }

  it("streams the reply into the page, continues the thread on a second message, and the thread is the client's", async () => {
    const { page, pageErrors, apiRequests } = await openShop({ key: h.keys.customer });
    expect(await page.getAttribute("#thread", "data-thread")).toBe("");

    await send(page, QUESTION);
    const first = await rendered(page);
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first[0]).toEqual({ type: "human", text: QUESTION });
    const reply = first.at(-1)!;
    expect(reply.type).toBe("ai");
    expect(reply.text.trim().length).toBeGreaterThan(10);
    expect(reply.text).toMatch(/stock|store/i);
    expect(await page.locator("#error").count()).toBe(0);

    const log1 = await pageLog(page);
    // isLoading went true while the run streamed, and back to false at the end.
    expect(log1.loading).toEqual([false, true, false]);
    // The reply grew in the page before the run ended (token by token), not in one piece at the end.
    expect(log1.partialReplyLengths.some((n) => n > 0 && n < reply.text.length)).toBe(true);
    // onThreadId gave the new thread once; it is in the URL and is the customer's thread on the server.
    expect(log1.threadIds).toHaveLength(1);
    const threadId = log1.threadIds[0]!;
    expect(await page.getAttribute("#thread", "data-thread")).toBe(threadId);
    const thread = await h.client("customer").threads.get(threadId);
    expect(thread.status).toBe("idle");
    // What the hook assembled from streamed chunks is exactly what the server stored.
    expect(await serverMessages(threadId)).toEqual(first);
    // The run id the hook reported (from Content-Location, read across origins) is the thread's run.
    const runs = await h.client("customer").runs.list(threadId);
    expect(runs.map((r) => r.run_id)).toEqual(log1.runs);
    expect(runs[0]!.status).toBe("success");
    // Another customer cannot see it.
    await expect(h.client("customer2").threads.get(threadId)).rejects.toThrow(/404/);

    await send(page, "And what about store 3?");
    const second = await rendered(page);
    expect(second.length).toBeGreaterThanOrEqual(4);
    expect(second.slice(0, first.length)).toEqual(first);
    expect(second.some((m, i) => i >= first.length && m.type === "human" && m.text === "And what about store 3?")).toBe(true);
    expect(second.at(-1)!.type).toBe("ai");
    const log2 = await pageLog(page);
    expect(log2.threadIds).toEqual([threadId]);
    expect(log2.loading).toEqual([false, true, false, true, false]);
    expect(await serverMessages(threadId)).toEqual(second);
    expect(await h.client("customer").threads.search({ limit: 100 })).toEqual(expect.arrayContaining([expect.objectContaining({ thread_id: threadId })]));

    expect(apiRequests).toContain(`POST /threads`);
    expect(apiRequests).toContain(`POST /threads/${threadId}/runs/stream`);
    // The preflight the browser sent first (x-api-key and JSON are not "simple" requests), as the server answers it.
    const preflight = await fetch(`${h.url}/threads/${threadId}/runs/stream`, {
      method: "OPTIONS",
      headers: { origin: shopOrigin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-api-key" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(shopOrigin);
    expect(preflight.headers.get("access-control-allow-headers")).toBe("content-type,x-api-key");
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("switches threads (with fetchStateHistory): a new conversation gets its own thread, and opening the old one loads its history", async () => {
    const client = h.client("customer");
    const old = await client.threads.create();
    await client.runs.wait(old.thread_id, "aisle", { input: { messages: [{ role: "user", content: QUESTION }] } });
    const oldMessages = await serverMessages(old.thread_id);

    const { page, pageErrors, apiRequests } = await openShop({ key: h.keys.customer, thread: old.thread_id, history: "1" });
    await page.waitForFunction((n) => document.querySelectorAll("#messages li").length === n, oldMessages.length);
    expect(await rendered(page)).toEqual(oldMessages);

    await page.click("#new-thread");
    await page.waitForFunction(() => document.querySelectorAll("#messages li").length === 0);
    await send(page, "What are the store hours at store 12?");
    const log = await pageLog(page);
    expect(log.threadIds).toHaveLength(1);
    const fresh = log.threadIds[0]!;
    expect(fresh).not.toBe(old.thread_id);
    const freshMessages = await rendered(page);
    expect(freshMessages[0]).toEqual({ type: "human", text: "What are the store hours at store 12?" });
    expect(await serverMessages(fresh)).toEqual(freshMessages);

    await page.fill("#switch-input", old.thread_id);
    await page.click("#switch");
    await page.waitForFunction((n) => document.querySelectorAll("#messages li").length === n, oldMessages.length);
    expect(await rendered(page)).toEqual(oldMessages);
    // With fetchStateHistory the hook reads checkpoints through POST /threads/{id}/history.
    expect(apiRequests).toContain(`POST /threads/${old.thread_id}/history`);
    // The old thread did not receive the new conversation's message.
    expect(await serverMessages(old.thread_id)).toEqual(oldMessages);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("with reconnectOnMount, a reload while the reply streams re-joins the same run instead of losing or repeating it", async () => {
    const { page, pageErrors, apiRequests } = await openShop({ key: h.keys.customer, reconnect: "1", leaveOnRunCreated: "1" });
    await page.fill("#input", QUESTION);
    await Promise.all([page.waitForEvent("load"), page.click("#send")]);
    // After the reload the page is back on the thread (kept in its URL) and re-attaches to the run.
    await page.waitForFunction(() => /thread=/.test(location.search) && !/leaveOnRunCreated/.test(location.search));
    await page.waitForSelector('#messages li[data-type="ai"]', { timeout: 30_000 });
    await page.waitForSelector('#status[data-loading="false"]', { timeout: 30_000 });
    const threadId = (await page.getAttribute("#thread", "data-thread"))!;
    expect(apiRequests).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^GET /threads/${threadId}/runs/[0-9a-f-]{36}/stream$`))]));
    const shown = await rendered(page);
    expect(shown[0]).toEqual({ type: "human", text: QUESTION });
    expect(shown.at(-1)!.type).toBe("ai");
    // One run, finished (the browser leaving did not cancel it), and nothing was run twice.
    const runs = await h.client("customer").runs.list(threadId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe("success");
    expect(await serverMessages(threadId)).toEqual(shown);
    expect(shown.filter((m) => m.type === "human")).toHaveLength(1);
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith("lg:stream:")))).toEqual([]);
    expect(await page.locator("#error").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("a bad API key shows up in the hook's error (the server's 401), and the page keeps working", async () => {
    const before = Number((await h.db.pool.query("SELECT count(*) FROM threads")).rows[0].count);
    const { page, pageErrors } = await openShop({ key: "aisle_nokey_000000000000000000000000" });
    await page.fill("#input", QUESTION);
    await page.click("#send");
    await page.waitForSelector("#error");
    expect(await page.locator("#error").innerText()).toMatch(/401/);
    expect(await page.locator("#error").innerText()).toMatch(/unauthorized/);
    await page.waitForSelector('#status[data-loading="false"]');
    expect((await pageLog(page)).errors.join("\n")).toMatch(/401/);
    expect(await page.locator("#messages li").count()).toBe(0);
    expect(Number((await h.db.pool.query("SELECT count(*) FROM threads")).rows[0].count)).toBe(before);
    expect(pageErrors).toEqual([]);
    // The form is still usable (nothing crashed): typing works and Send is enabled again.
    await page.fill("#input", "hello?");
    expect(await page.isEnabled("#send")).toBe(true);
    await page.context().close();
  });

  it("a page from an origin the server does not list is refused by the browser before anything runs", async () => {
    const before = Number((await h.db.pool.query("SELECT count(*) FROM threads")).rows[0].count);
    // Same page, other origin: localhost is not 127.0.0.1 to a browser.
    const { page, pageErrors } = await openShop({ key: h.keys.customer }, `http://localhost:${shop.port}`);
    await page.fill("#input", QUESTION);
    await page.click("#send");
    await page.waitForSelector("#error");
    expect(await page.locator("#error").innerText()).toMatch(/Unable to connect|Failed to fetch/);
    expect(Number((await h.db.pool.query("SELECT count(*) FROM threads")).rows[0].count)).toBe(before);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
