import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, launchChromium } from "./support/browser.ts";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";
import { createAisleRuntime } from "../graphs/runtime.ts";
import { createApiKey } from "../server/apiKeys.ts";

/**
 * Aisle Studio driven in a real browser (Debian's Chromium through playwright-core) against a real
 * server running Aisle's own turn graph on PostgreSQL. Screenshots land in screenshots/ (git-ignored).
 */
const hasChromium = chromiumAvailable("Studio browser tests");

const SHOTS = "screenshots";
const userInput = (content: string) => ({ messages: [{ role: "user", content }] });

describe.skipIf(!hasChromium)("Aisle Studio in a browser", () => {
  let h: ServerHarness;
  let browser: Browser;
  /** Requests the page made to anything but this server (must stay empty: the studio is offline). */
  const foreign: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startServerHarness({
      runtime: async (db) => ({ ...(await createAisleRuntime({ pool: db.pool, databaseUrl: db.url, llm: null })), reportsNodeEvents: true }),
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A fresh browser profile with these keys saved (the first one active), opened at `hash`. */
  async function openStudio(keys: Array<{ label: string; key: string; role: string }>, hash: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript((saved) => {
      if (!localStorage.getItem("aisle.studio.keys")) localStorage.setItem("aisle.studio.keys", JSON.stringify(saved));
    }, keys);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(h.url) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    await page.goto(`${h.url}/studio/${hash}`);
    (page as Page & { errors: string[] }).errors = errors;
    return page;
  }
  const key = (role: keyof ServerHarness["keys"]) => ({ label: role, key: h.keys[role], role: role.replace(/\d$/, "") });
  const pageErrors = (p: Page) => (p as Page & { errors: string[] }).errors;

  it("loads the studio and draws every node of the compiled graph; a node shows its configuration", async () => {
    const graph = (await (await h.fetch("/assistants/aisle/graph", { key: "admin" })).json()) as { nodes: Array<{ id: string }> };
    expect(graph.nodes.length).toBeGreaterThan(8);
    const page = await openStudio([key("manager")], "#/graph");
    await page.waitForSelector('svg.graph [data-node="dataPrep"]');
    for (const n of graph.nodes) expect(await page.locator(`svg.graph [data-node="${n.id}"]`).count(), `node ${n.id}`).toBe(1);

    await page.click('svg.graph [data-node="governance"]');
    const detail = page.locator('#node-detail[data-node="governance"]');
    await detail.waitFor();
    expect(await detail.textContent()).toContain("refund_approval_above");
    await page.click('svg.graph [data-node="router"]');
    expect(await page.locator('#node-detail[data-node="router"]').textContent()).toMatch(/router_model/);
    await page.screenshot({ path: `${SHOTS}/studio-graph.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });

  it("runs a playground turn with tokens streaming and nodes lighting up, then finds it in the thread timeline", async () => {
    const page = await openStudio([key("customer"), key("manager")], "#/playground");
    await page.waitForSelector("#chat-input");
    const text = "What are your store hours at store 12?";
    await page.fill("#chat-input", text);
    await page.click("#chat-send");
    await page.waitForSelector('[data-role="reply"]:not(.streaming) .meta', { timeout: 30_000 });
    const reply = (await page.locator('[data-role="reply"]').first().innerText()).trim();
    expect(reply.length).toBeGreaterThan(10);
    // The graph lit up node by node as `updates`/`debug` events arrived.
    for (const node of ["dataPrep", "router", "contextStitch", "policy", "governance", "audit"]) {
      expect(await page.getAttribute(`#live-graph [data-node="${node}"]`, "class"), node).toContain("done");
    }
    // The reply arrived as several `messages` (messages-tuple) events, i.e. token by token.
    const tokenEvents = await page.locator("#events div", { hasText: /^messages/ }).count();
    expect(tokenEvents).toBeGreaterThan(2);
    expect(await page.locator("[data-intent]").count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/studio-playground.png` });

    await page.click("#chat-thread a");
    const threadId = (await page.evaluate(() => sessionStorage.getItem("aisle.studio.playgroundThread")))!;
    await page.waitForSelector(`[data-thread-detail="${threadId}"] .step`);
    expect(await page.locator(`#thread-list [data-thread="${threadId}"]`).count()).toBe(1);
    const stepNodes = await page.locator(".step").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.nodes));
    for (const node of ["input", "dataPrep", "router", "contextStitch", "policy", "governance", "audit"]) expect(stepNodes).toContain(node);
    expect(await page.locator('.step[data-nodes="input"] .sum').first().innerText()).toContain(text);
    // Opening a step shows the node's output and the diff from the previous checkpoint.
    await page.click('.step[data-nodes="router"] summary');
    const routerStep = page.locator('.step[data-nodes="router"] .step-body');
    await routerStep.waitFor();
    expect(await routerStep.innerText()).toMatch(/[~+] route/);
    await page.click('[data-tab="Messages"]');
    expect(await page.locator(".msg.human").first().innerText()).toContain(text);
    await page.screenshot({ path: `${SHOTS}/studio-threads.png` });
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });

  it("forks a thread from a checkpoint with edited state and re-runs from there", async () => {
    const client = h.client("admin");
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "aisle", { input: userInput("Is the Wireless Earbuds in stock at store 12?") });
    const before = (await client.threads.getState(thread.thread_id)).values as { route: { agent: string } };
    expect(before.route.agent).toBe("inventory");

    const page = await openStudio([key("admin")], `#/timetravel/${thread.thread_id}`);
    const routerStep = page.locator('#checkpoints [data-nodes="router"]').first();
    await routerStep.click();
    const forkedFrom = await routerStep.getAttribute("data-checkpoint");
    await page.waitForSelector("#fork-state");
    // Edit the routed agent as a developer would in the state editor.
    const edited = await page.$eval("#fork-state", (el) => {
      const v = JSON.parse((el as HTMLTextAreaElement).value);
      v.route.agent = "info";
      v.route.intent = "store_info";
      return JSON.stringify(v, null, 2);
    });
    await page.fill("#fork-state", edited);
    await page.click("#fork-run");
    await page.waitForSelector("#run-status.ok", { timeout: 30_000 });
    expect(await page.getAttribute('#run-result [data-node="info_agent"]', "class")).toContain("done");
    expect(await page.getAttribute('#run-result [data-node="inventory_agent"]', "class")).not.toContain("done");
    await page.screenshot({ path: `${SHOTS}/studio-timetravel-fork.png` });

    // The thread now continues on the fork; the original checkpoint is untouched.
    const after = (await client.threads.getState(thread.thread_id)).values as { route: { agent: string; intent: string } };
    expect(after.route).toMatchObject({ agent: "info", intent: "store_info" });
    const original = await client.threads.getState(thread.thread_id, forkedFrom!);
    expect((original.values as { route: { agent: string } }).route.agent).toBe("inventory");
    const history = await client.threads.getHistory(thread.thread_id, { limit: 100 });
    expect(history.some((s) => (s.metadata as { source?: string } | null)?.source === "update")).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });

  it("refuses a customer's approval of an escalation and lets a manager approve it", async () => {
    const raj = (await createApiKey(h.db.pool, { role: "customer", customerId: "raj_sanchez_2970" })).key;
    const client = h.client(raj);
    const thread = await client.threads.create();
    for (const line of ["raj.sanchez2046@example.com", "return the luggage set from #W7736708 to the original payment method", "yes"]) {
      await client.runs.wait(thread.thread_id, "aisle", { input: userInput(line) });
    }
    expect((await client.threads.get(thread.thread_id)).status).toBe("interrupted");

    const page = await openStudio([{ label: "raj", key: raj, role: "customer" }, key("manager")], `#/timetravel/${thread.thread_id}`);
    await page.waitForSelector("#escalation");
    expect(await page.locator("#escalation").innerText()).toMatch(/528\.63|refund/i);
    await page.click("#approve");
    await page.waitForSelector("#resume-refused");
    expect(await page.locator("#resume-refused").innerText()).toMatch(/only a manager/i);
    expect((await client.threads.get(thread.thread_id)).status).toBe("interrupted");
    await page.screenshot({ path: `${SHOTS}/studio-escalation-refused.png` });

    await page.selectOption("#key-select", h.keys.manager);
    await page.waitForSelector("#escalation");
    await page.fill("#resume-note", "verified with the customer by phone");
    await page.click("#approve");
    await page.waitForSelector("#run-status.ok", { timeout: 30_000 });
    expect(await page.locator("#run-reply").innerText()).toMatch(/#W7736708/);
    await page.waitForSelector("#escalation-resolved");
    await page.screenshot({ path: `${SHOTS}/studio-escalation-approved.png` });

    const state = await h.client("manager").threads.getState(thread.thread_id);
    expect((await client.threads.get(thread.thread_id)).status).toBe("idle");
    const verdicts = (state.values as { verdicts: Array<{ decision?: { approved: boolean } }> }).verdicts;
    expect(verdicts.some((v) => v.decision?.approved === true)).toBe(true);
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });

  it("shows monitoring from the traffic above, with the seven-layer breakdown beside the reference", async () => {
    const page = await openStudio([key("manager")], "#/monitoring");
    await page.waitForSelector("#layer-breakdown");
    expect(Number(await page.locator("#stat-turns .value").innerText())).toBeGreaterThanOrEqual(5);
    expect(await page.locator("#layer-breakdown [data-layer]").count()).toBe(7);
    expect(await page.locator('#layer-breakdown [data-layer="routing"]').innerText()).toContain("ref 29.0%");
    expect(await page.locator("#node-latency [data-node]").count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator("#intent-mix [data-key]").count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: `${SHOTS}/studio-monitoring.png`, fullPage: true });

    // A customer key sees no cross-customer aggregates.
    const denied = await h.fetch("/studio/api/monitoring", { key: "customer" });
    expect(denied.status).toBe(403);
    await page.context().close();
  });

  it("labels an earlier turn's intent in the Labelling view: feedback and a router training label are recorded; another customer is refused", async () => {
    const page = await openStudio([key("customer"), key("customer2")], "#/playground");
    await page.waitForSelector("#chat-input");
    const said = "Do you have the Wireless Earbuds in stock at store 12?";
    await page.fill("#chat-input", said);
    await page.click("#chat-send");
    await page.waitForSelector('[data-role="reply"]:not(.streaming) .meta', { timeout: 30_000 });
    const threadId = (await page.evaluate(() => sessionStorage.getItem("aisle.studio.playgroundThread")))!;
    // A second turn, so the one being labelled is not the thread's latest.
    await h.client("customer").runs.wait(threadId, "aisle", { input: userInput("And what time does that store open on Sunday?") });
    const traces = (
      await h.db.pool.query<{ trace_id: string; turn: number; run_id: string; intent: string }>(
        "SELECT trace_id, turn, run_id, intent FROM turn_traces WHERE thread_id = $1 ORDER BY turn",
        [threadId],
      )
    ).rows;
    expect(traces).toHaveLength(2);
    const first = traces[0]!;

    await page.goto(`${h.url}/studio/#/labelling/${threadId}`);
    const row = page.locator(`#label-turns tr[data-turn="${first.turn}"]`);
    await row.waitFor();
    expect(await page.locator("#label-turns tbody tr").count()).toBe(2);
    expect(await row.innerText()).toContain(said);
    expect(await row.locator("[data-predicted]").getAttribute("data-predicted")).toBe(first.intent);
    const intents = (await (await h.fetch("/studio/api/meta", { key: "customer" })).json()).intents as string[];
    const corrected = intents.find((i) => i !== first.intent && i !== traces[1]!.intent)!;
    await row.locator("select").selectOption(corrected);
    await row.locator("input.label-note").fill("asked about stock, not the store");
    await row.locator("button[data-save]").click();
    const saved = page.locator(`#label-turns tr[data-turn="${first.turn}"][data-labelled="${corrected}"]`);
    await saved.locator("[data-saved]").waitFor();
    expect(await saved.locator(".label-cell").innerText()).toContain(`labelled: ${corrected}`);
    expect(await page.locator(`#label-turns tr[data-turn="${traces[1]!.turn}"]`).getAttribute("data-labelled")).toBe("");
    expect(await page.locator("#label-summary").innerText()).toContain("1 labelled");
    await page.screenshot({ path: `${SHOTS}/studio-labelling.png` });

    // Recorded on that turn (not the latest), and offered to the router as a training label.
    const feedback = (
      await h.db.pool.query<{ trace_id: string; run_id: string; label: string; author: string }>(
        "SELECT trace_id, run_id, label, author FROM feedback WHERE thread_id = $1 AND corrected_intent = $2",
        [threadId, corrected],
      )
    ).rows;
    expect(feedback).toEqual([{ trace_id: first.trace_id, run_id: first.run_id, label: "asked about stock, not the store", author: expect.stringContaining(h.customers[0]) }]);
    const labels = (await h.db.pool.query<{ text: string }>("SELECT text FROM route_labels WHERE thread_id = $1 AND intent = $2 AND source = 'feedback'", [threadId, corrected])).rows;
    expect(labels).toEqual([{ text: said }]);

    // The key was switched to another customer elsewhere (another tab): saving is refused and the row says so.
    const countFeedback = async () => Number((await h.db.pool.query("SELECT count(*) FROM feedback WHERE thread_id = $1", [threadId])).rows[0].count);
    const second = page.locator(`#label-turns tr[data-turn="${traces[1]!.turn}"]`);
    await page.evaluate((k) => localStorage.setItem("aisle.studio.activeKey", k), h.keys.customer2);
    await second.locator("select").selectOption(corrected);
    await second.locator("button[data-save]").click();
    await second.locator('.label-status [role="alert"]').waitFor();
    expect(await second.locator(".label-status").innerText()).toMatch(/Label not saved.*404/s);
    expect(await second.getAttribute("data-labelled")).toBe("");
    expect(await countFeedback()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/studio-labelling-refused.png` });

    // Picking that customer's key in the studio: the thread's turns are not shown at all.
    await page.selectOption("#key-select", h.keys.customer2);
    await page.waitForSelector("#label-error");
    expect(await page.locator("#label-error").innerText()).toMatch(/404/);
    expect(await page.locator("#label-turns").count()).toBe(0);
    expect(await countFeedback()).toBe(1);
    expect(pageErrors(page)).toEqual([]);
    await page.context().close();
  });

  it("never requested anything from outside the Aisle server", () => {
    expect(foreign).toEqual([]);
  });
});
