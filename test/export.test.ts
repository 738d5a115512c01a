import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, existsSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { poolDb, type Db } from "../db/executor.ts";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { cancelThread, governedThread, toolSchemas, SYSTEM_PROMPT } from "./support/traceFixtures.ts";
import { recordTurnTrace } from "../traces/store.ts";
import { recordFeedback } from "../traces/feedback.ts";
import { exportTraces } from "../traces/export/exportTraces.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../traces/export/formats.ts";
import {
  LINE_VALIDATORS,
  OpenAiDpoLine,
  OpenAiSftLine,
  ShareGptLine,
  ShareGptPreferenceLine,
  TrlPreferenceLine,
  TrlSftLine,
  validateOpenAiSftLine,
} from "../traces/export/validate.ts";
import type { TurnTraceInput } from "../traces/schema.ts";

let tdb: TestDatabase;
let db: Db;
const dir = mkdtempSync(join(tmpdir(), "aisle-export-"));
const readJsonl = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

const SCHEMAS = {
  openai: OpenAiSftLine,
  "openai-dpo": OpenAiDpoLine,
  trl: TrlSftLine,
  "trl-dpo": TrlPreferenceLine,
  sharegpt: ShareGptLine,
  "sharegpt-dpo": ShareGptPreferenceLine,
} as const;

/** A turn with two parallel stock lookups, then an escalated refund that waits for a manager and is resumed. */
function parallelAndInterruptedThread(threadId: string): TurnTraceInput[] {
  const start = new Date("2025-03-03T15:00:00Z");
  const tools = toolSchemas(["get_product_details", "get_order_details", "return_delivered_order_items"]);
  const base = { thread_id: threadId, system: SYSTEM_PROMPT, tools, model: "gpt-4.1-mini" };
  return [
    {
      ...base,
      started_at: start,
      ended_at: start,
      route: { intent: "stock_check", confidence: 0.93, tier: "llm" },
      messages: [
        { role: "user", content: "do you have the hiking boots and the backpack in stock?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: "a", name: "get_product_details", args: { product_id: "7363354090" } },
            { id: "b", name: "get_product_details", args: { product_id: "2524789262" } },
          ],
        },
        { role: "tool", tool_call_id: "a", name: "get_product_details", content: '{"name":"Hiking Boots","variants":{}}' },
        { role: "tool", tool_call_id: "b", name: "get_product_details", content: '{"name":"Backpack","variants":{}}' },
        { role: "assistant", content: "Both are available in several variants." },
      ],
    },
    {
      ...base,
      started_at: new Date(start.getTime() + 60_000),
      ended_at: new Date(start.getTime() + 61_000),
      route: { intent: "return_request", confidence: 0.9, tier: "llm" },
      outcome: "interrupted",
      messages: [
        { role: "user", content: "yes, return everything in #W4817420 to my gift card" },
        { role: "assistant", content: "", tool_calls: [{ id: "r", name: "return_delivered_order_items", args: { order_id: "#W4817420", item_ids: ["1"], payment_method_id: "gift_card_1" } }] },
      ],
      governance: [{ stage: "tool_call", verdict: "escalate", rule: "refund.approval_above", reason: "refund 812.40 above 500" }],
    },
    {
      ...base,
      started_at: new Date(start.getTime() + 600_000),
      ended_at: new Date(start.getTime() + 601_000),
      route: { intent: "return_request", confidence: 0.9, tier: "llm" },
      messages: [
        { role: "tool", tool_call_id: "r", name: "return_delivered_order_items", content: '{"order_id":"#W4817420","status":"return requested"}' },
        { role: "assistant", content: "A manager approved it: the return is requested and 812.40 goes to your gift card." },
      ],
      governance: [{ stage: "tool_call", verdict: "escalate", rule: "refund.approval_above", reason: "approved", decision: { approved: true, by: "manager:7" } }],
    },
  ];
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = poolDb(tdb.pool);
  for (let i = 0; i < 40; i++) {
    const day = new Date(Date.UTC(2025, 2, 1 + (i % 10), 10));
    for (const t of cancelThread(`cancel-${i}`, { start: day, email: `shopper${i}@example.com`, orderId: `#W${7000000 + i}` })) await recordTurnTrace(db, t);
  }
  for (const t of governedThread("governed")) await recordTurnTrace(db, t);
  for (const t of parallelAndInterruptedThread("escalated")) await recordTurnTrace(db, t);
  const errored = cancelThread("errored")[0]!;
  await recordTurnTrace(db, { ...errored, outcome: "error", error: "tool timeout" });
  await recordFeedback(db, "cancel-0", { rating: "down" }, "key:t");
  await recordFeedback(db, "cancel-1", { rating: "up" }, "key:t");
  await recordFeedback(db, "cancel-2", { corrected_reply: "Your order is cancelled; the refund reaches your card in 5–7 business days." }, "studio:r");
});
afterAll(async () => tdb?.drop());

async function run(format: ExportFormat, name: string, extra: Partial<Parameters<typeof exportTraces>[1]> = {}) {
  const out = join(dir, `${name}.jsonl`);
  const result = await exportTraces(db, { format, out, ...extra });
  return { out, result, lines: existsSync(out) ? readJsonl(out) : [] };
}

describe("fine-tuning export", () => {
  it.each(EXPORT_FORMATS)("%s: every line matches the format's schema and rules", async (format) => {
    const { lines, result } = await run(format, `all-${format}`);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBe(result.card.counts.examples);
    for (const line of lines) {
      expect(SCHEMAS[format].safeParse(line).success).toBe(true);
      expect(LINE_VALIDATORS[format](line)).toEqual([]);
    }
    // PII typed by customers never reaches a dataset.
    const text = readFileSync(join(dir, `all-${format}.jsonl`), "utf8");
    expect(text).not.toMatch(/shopper\d+@example\.com/);
  });

  it("openai: context turns weigh 0, the turn's own messages are trained, ids are fresh and answered", async () => {
    const { lines } = await run("openai", "openai-shape", { filters: { intents: ["cancel_order"] } });
    // 40 cancel threads × 2 turns, plus the errored turn (routed cancel_order too).
    expect(lines).toHaveLength(81);
    const second = lines.find((l) => l.messages.filter((m: any) => m.role === "user").length === 2)!;
    expect(second.messages[0]).toEqual({ role: "system", content: SYSTEM_PROMPT });
    const assistants = second.messages.filter((m: any) => m.role === "assistant");
    expect(assistants.map((m: any) => m.weight)).toEqual([0, 0, 0, undefined, undefined]);
    const calls = second.messages.flatMap((m: any) => m.tool_calls ?? []);
    // The recorded ids repeat across turns ("call_0" twice); the export makes them unique.
    expect(new Set(calls.map((c: any) => c.id)).size).toBe(calls.length);
    // Arguments are a JSON string with the keys in the order the model produced them.
    expect(calls[2].function.name).toBe("cancel_pending_order");
    expect(calls[2].function.arguments).toMatch(/^\{"order_id":"#W\d{7}","reason":"ordered by mistake"\}$/);
    const answer = second.messages.find((m: any) => m.role === "tool" && m.tool_call_id === calls[2].id);
    expect(answer.content).toContain("cancelled");
    expect(second.tools.map((t: any) => t.function.name)).toContain("cancel_pending_order");
    expect(second.parallel_tool_calls).toBe(false);
  });

  it("openai: parallel calls set parallel_tool_calls; a turn waiting on a manager is skipped but is context for its resumption", async () => {
    const { lines, result } = await run("openai", "openai-escalated", { filters: { intents: ["stock_check", "return_request"] } });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.parallel_tool_calls).toBe(true);
    const resumed = lines[1]!;
    const call = resumed.messages.find((m: any) => m.tool_calls?.[0]?.function.name === "return_delivered_order_items");
    expect(call.weight).toBe(0);
    expect(resumed.messages.at(-2)).toMatchObject({ role: "tool", tool_call_id: call.tool_calls[0].id });
    expect(resumed.messages.at(-1)).toMatchObject({ role: "assistant", content: expect.stringContaining("manager approved") });
    expect(Object.keys(result.card.counts.skipped)).toEqual([expect.stringContaining("is not answered")]);
  });

  it("openai-dpo: pairs from governance fixes and blocks (original proposal rejected) and corrected replies", async () => {
    const { lines, result } = await run("openai-dpo", "dpo");
    expect(result.card.counts.by_origin).toEqual({
      "fix:discount.cap.region": 1,
      "block:tool_call.order_ownership": 1,
      feedback: 1,
    });
    const fix = lines.find((l) => l.non_preferred_output[0].content?.includes("40%"))!;
    expect(fix.preferred_output[0].content).toContain("15%");
    expect(fix.input.messages.at(-1)).toEqual({ role: "user", content: "Can I get 40% off? I'm a loyal customer" });
    const block = lines.find((l) => l.non_preferred_output[0].tool_calls)!;
    expect(block.non_preferred_output[0].tool_calls[0].function).toEqual({ name: "get_order_details", arguments: '{"order_id":"#W2378156"}' });
    expect(block.preferred_output[0].content).toContain("only look up your own orders");
    const fb = lines.find((l) => l.preferred_output[0].content?.includes("5–7 business days"))!;
    expect(fb.non_preferred_output[0].content).toContain("is cancelled");
  });

  it("trl: arguments stay objects, tools are JSON schemas; preference rows are {prompt, chosen, rejected}", async () => {
    const { lines } = await run("trl", "trl", { filters: { intents: ["cancel_order"] } });
    const call = lines[0]!.messages.find((m: any) => m.tool_calls)!.tool_calls[0];
    expect(call.function.arguments).toEqual({ email: "s***@example.com" });
    expect(lines[0]!.tools[0]).toMatchObject({ type: "function", function: { name: "find_user_id_by_email", parameters: { type: "object" } } });
    const prefs = (await run("trl-dpo", "trl-dpo")).lines;
    expect(prefs).toHaveLength(3);
    for (const p of prefs) expect(Object.keys(p).sort()).toEqual(["chosen", "prompt", "rejected", "tools"]);
  });

  it("sharegpt: LLaMA-Factory alternation, function_call JSON, observations, tools as a JSON string", async () => {
    const { lines } = await run("sharegpt", "sharegpt", { filters: { intents: ["cancel_order", "stock_check"] } });
    const first = lines.find((l) => l.conversations.length === 6)!;
    expect(first.conversations.map((c: any) => c.from)).toEqual(["human", "function_call", "observation", "function_call", "observation", "gpt"]);
    expect(JSON.parse(first.conversations[1].value)).toEqual({ name: "find_user_id_by_email", arguments: { email: expect.stringContaining("***@example.com") } });
    expect(first.system).toBe(SYSTEM_PROMPT);
    expect(JSON.parse(first.tools)[0]).toMatchObject({ name: "find_user_id_by_email" });
    const parallel = lines.find((l) => l.conversations[0].value.includes("hiking boots"))!;
    expect(JSON.parse(parallel.conversations[1].value)).toHaveLength(2);
    expect(JSON.parse(parallel.conversations[2].value)).toHaveLength(2);
  });

  it("filters by date, intent, outcome and feedback", async () => {
    const count = async (filters: Parameters<typeof exportTraces>[1]["filters"], name: string) =>
      (await run("openai", name, { filters })).result.card.counts.turns_selected;
    // cancel-i started on March (1 + i % 10): days 1–3 hold 12 threads × 2 turns, plus the errored turn of March 1.
    expect(await count({ since: new Date("2025-03-01"), until: new Date("2025-03-04"), intents: ["cancel_order"] }, "f-date")).toBe(25);
    const all = await count({}, "f-all");
    // only-passed drops the errored turn, the interrupted turn and cancel-0's down-rated last turn.
    expect(await count({ onlyPassed: true }, "f-passed")).toBe(all - 3);
    expect(await count({ minFeedback: 1 }, "f-fb")).toBe(1);
  });

  it("splits by thread, deterministically, and the card describes the files exactly", async () => {
    const a = await run("openai", "split-a", { split: 0.8 });
    const b = await run("openai", "split-b", { split: 0.8 });
    const threadsOf = (path: string) => new Set(readJsonl(path).map((l) => l.messages.find((m: any) => m.role === "user").content));
    const train = join(dir, "split-a.train.jsonl");
    const validation = join(dir, "split-a.validation.jsonl");
    expect(existsSync(join(dir, "split-a.jsonl"))).toBe(false);
    expect(readFileSync(train).equals(readFileSync(join(dir, "split-b.train.jsonl")))).toBe(true);
    // No conversation is on both sides (first user messages carry the thread's order id, so they identify it).
    const inTrain = threadsOf(train);
    for (const first of threadsOf(validation)) expect(inTrain.has(first)).toBe(false);
    const card = a.result.card;
    expect(card.counts.by_split.train + card.counts.by_split.validation).toBe(card.counts.examples);
    expect(card.counts.by_split.validation).toBeGreaterThan(0);
    for (const f of card.files) {
      const bytes = readFileSync(join(dir, f.path));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(f.sha256);
      expect(readJsonl(join(dir, f.path))).toHaveLength(f.examples);
    }
    expect(card.counts.by_intent.cancel_order).toBeGreaterThan(60);
    expect(card.date_range.first).toBe("2025-03-01T10:00:00.000Z");
    expect(card.sources.router_versions).toEqual(["router-2025-03-01"]);
    expect(card.sources.traces_sha256).toBe(b.result.card.sources.traces_sha256);
    const md = readFileSync(a.result.cardMarkdownPath, "utf8");
    expect(md).toContain("| cancel_order |");
    expect(readdirSync(dir).some((f) => f.endsWith(".partial"))).toBe(false);
  });
});

describe("aisle export traces", { timeout: 180_000 }, () => {
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "cli/aisle.ts", "export", "traces", ...args], { env: { ...process.env, DATABASE_URL: tdb.url } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("writes the split files and the card, reporting progress on stderr", async () => {
    const out = join(dir, "cli.jsonl");
    const r = await cli(["--format", "sharegpt", "--out", out, "--split", "0.9", "--intent", "cancel_order", "--only-passed"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/example\(s\) from \d+ selected turn/);
    const card = JSON.parse(readFileSync(join(dir, "cli.card.json"), "utf8"));
    expect(card.filters).toMatchObject({ intents: ["cancel_order"], only_passed: true });
    expect(readJsonl(join(dir, "cli.train.jsonl")).length + readJsonl(join(dir, "cli.validation.jsonl")).length).toBe(card.counts.examples);
  });

  it("refuses a bad option with exit code 2 and writes nothing", async () => {
    const out = join(dir, "bad.jsonl");
    const r = await cli(["--format", "openai", "--out", out, "--split", "1.5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("aisle: --split must be a ratio between 0 and 1");
    expect(existsSync(out)).toBe(false);
  });
});

describe("OpenAI format validator", () => {
  const ok = {
    messages: [
      { role: "user", content: "cancel #W1" },
      { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "cancel", arguments: '{"order_id":"#W1"}' } }] },
      { role: "tool", tool_call_id: "c1", content: "done" },
      { role: "assistant", content: "Cancelled." },
    ],
    tools: [{ type: "function", function: { name: "cancel", parameters: { type: "object", properties: {} } } }],
  };
  const withMessages = (messages: unknown[]) => ({ ...ok, messages });

  it("accepts a well-formed tool-calling example", () => expect(validateOpenAiSftLine(ok)).toEqual([]));

  it("rejects what OpenAI rejects", () => {
    const m = ok.messages;
    expect(validateOpenAiSftLine(withMessages([m[0], m[1], m[3]]))).toEqual([expect.stringContaining("c1 is not answered")]);
    expect(validateOpenAiSftLine(withMessages([m[0], { role: "tool", tool_call_id: "zz", content: "x" }, m[3]]))[0]).toContain("unknown");
    expect(validateOpenAiSftLine(withMessages([m[0], { role: "robot", content: "hi" }])).length).toBeGreaterThan(0);
    expect(validateOpenAiSftLine(withMessages([m[0], { role: "assistant", content: "x", weight: 0 }]))).toEqual([expect.stringContaining("no assistant message to train on")]);
    expect(validateOpenAiSftLine(withMessages([m[0]]))).toEqual([expect.stringContaining("no assistant message")]);
    expect(validateOpenAiSftLine(withMessages([m[0], { role: "assistant", content: "x", mood: "happy" }])).length).toBeGreaterThan(0);
    expect(validateOpenAiSftLine(withMessages([{ role: "user" }, m[3]])).join()).toContain("missing text content");
    const badArgs = { ...m[1], tool_calls: [{ id: "c1", type: "function", function: { name: "cancel", arguments: "{oops" } }] };
    expect(validateOpenAiSftLine(withMessages([m[0], badArgs, m[2], m[3]]))).toEqual([expect.stringContaining("not valid JSON")]);
    const undeclared = { ...m[1], tool_calls: [{ id: "c1", type: "function", function: { name: "refund", arguments: "{}" } }] };
    expect(validateOpenAiSftLine(withMessages([m[0], undeclared, m[2], m[3]]))).toEqual([expect.stringContaining("not in tools")]);
    expect(validateOpenAiSftLine({ ...ok, parallel_tool_calls: false, messages: [m[0], { ...m[1], tool_calls: [...m[1].tool_calls!, { ...m[1].tool_calls![0]!, id: "c2" }] }, m[2], { ...m[2], tool_call_id: "c2" }, m[3]] })).toEqual([
      expect.stringContaining("parallel_tool_calls is false"),
    ]);
    expect(validateOpenAiSftLine(withMessages([m[0], { role: "assistant", content: "x", weight: 0.5 }])).length).toBeGreaterThan(0);
  });
});
