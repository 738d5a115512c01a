import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { RouterRegistry, shippedRouter, registerRouterModel, readRouteLabels } from "../models/router/index.ts";
import { trainRouter } from "../models/router/train.ts";
import { generateCorpus } from "../models/router/data/generate.ts";
import { productTerms, loadLexicon } from "../models/router/data/lexicon.ts";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "..", "cli", "aisle.ts");
let dir: string;
let db: TestDatabase;

async function aisle(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "aisle-router-cli-"));
  db = await createTestDatabase();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

describe("aisle route", () => {
  it("writes {text, intent, confidence, tier, agent} per line and passes other fields through", async () => {
    const input = join(dir, "in.jsonl");
    const output = join(dir, "out.jsonl");
    writeFileSync(input, [{ text: "where is my order #W2611340", id: 1 }, { text: "do you have the yoga mat in stock at store 12", channel: "handheld" }].map((x) => JSON.stringify(x)).join("\n") + "\n");
    const r = await aisle(["route", "--in", input, "--out", output]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(output, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: 1, text: "where is my order #W2611340", intent: "order_status", agent: "orders", tier: "local" });
    expect(rows[1]).toMatchObject({ channel: "handheld", intent: "stock_check", agent: "inventory" });
    expect(typeof rows[0].confidence).toBe("number");
  });

  it("names the bad line and leaves no partial output", async () => {
    const input = join(dir, "bad.jsonl");
    const output = join(dir, "bad-out.jsonl");
    writeFileSync(input, `{"text":"hi"}\n{"txt":"no text field"}\n`);
    const r = await aisle(["route", "--in", input, "--out", output]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:2: expected an object with a string "text" field/);
    expect(existsSync(output)).toBe(false);
    const missing = await aisle(["route", "--in", join(dir, "nope.jsonl"), "--out", output]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });
});

describe("aisle eval router", () => {
  it("prints accuracy, macro-F1 and the confusion matrix", async () => {
    const input = join(dir, "labelled.jsonl");
    writeFileSync(input, [
      { text: "cancel my order please", intent: "cancel_order" },
      { text: "where is my refund", intent: "refund_status" },
      { text: "what time do you open on sunday", intent: "store_info" },
      { text: "what time do you open on sunday", intent: "greeting" },
    ].map((x) => JSON.stringify(x)).join("\n"));
    const r = await aisle(["eval", "router", "--in", input, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.n).toBe(4);
    expect(m.accuracy).toBeCloseTo(0.75, 6);
    expect(m.confusion).toHaveLength(17);
    const text = await aisle(["eval", "router", "--in", input]);
    expect(text.stdout).toMatch(/accuracy\s+75\.00%/);
    expect(text.stdout).toMatch(/macro-F1/);
    expect(text.stdout).toMatch(/gold \\ predicted/);
  });

  it("rejects an unknown intent with the line number", async () => {
    const input = join(dir, "badlabel.jsonl");
    writeFileSync(input, `{"text":"hi","intent":"greeting"}\n{"text":"x","intent":"teleport"}\n`);
    const r = await aisle(["eval", "router", "--in", input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/badlabel\.jsonl:2: intent/);
  });
});

describe("model import → registry", () => {
  it("a running registry picks up an imported version without restart", async () => {
    const registry = await RouterRegistry.open(db.pool, { pollMs: 0 });
    try {
      expect(registry.version).toBe(shippedRouter().version); // nothing registered yet
      const featuriser = { hashBits: 10, wordNgrams: 2, charNgramMin: 3, charNgramMax: 4, productTerms: productTerms(loadLexicon()) };
      const model = trainRouter(generateCorpus(30, 5), { featuriser, thresholds: { minConfidence: 0.5, mixedSecond: 0.3 }, epochs: 3 });
      const file = join(dir, "small.json");
      writeFileSync(file, JSON.stringify(model));
      const changed = new Promise<string>((resolve) => registry.onChange((r) => resolve(r.version)));
      const r = await aisle(["model", "import", file], { DATABASE_URL: db.url });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`activated router ${model.version}`));
      // LISTEN/NOTIFY delivers the swap; refresh() is the polling path and must agree.
      expect(await changed).toBe(model.version);
      await registry.refresh();
      expect(registry.current().version).toBe(model.version);
      expect(registry.current().route("cancel my order").version).toBe(model.version);
      const { rows } = await db.pool.query("SELECT version FROM router_models WHERE active");
      expect(rows).toEqual([{ version: model.version }]);
    } finally {
      await registry.close();
    }
  });

  it("refuses a file that is not a router model and changes nothing", async () => {
    const file = join(dir, "junk.json");
    writeFileSync(file, JSON.stringify({ format: "aisle-router/1", version: "x" }));
    const before = await db.pool.query("SELECT count(*)::int AS n FROM router_models");
    const r = await aisle(["model", "import", file], { DATABASE_URL: db.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an Aisle router model/);
    const after = await db.pool.query("SELECT count(*)::int AS n FROM router_models");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("registering a second version deactivates the first", async () => {
    const featuriser = { hashBits: 9, wordNgrams: 1, charNgramMin: 3, charNgramMax: 3, productTerms: [] };
    const m = trainRouter(generateCorpus(15, 9), { featuriser, thresholds: { minConfidence: 0.5, mixedSecond: 0.3 }, epochs: 2 });
    await registerRouterModel(db.pool, m);
    const { rows } = await db.pool.query("SELECT version FROM router_models WHERE active");
    expect(rows).toEqual([{ version: m.version }]);
  });
});

describe("training from traces", () => {
  it("reads confirmed route labels, filtered by --since", async () => {
    await db.pool.query(
      `INSERT INTO route_labels (text, intent, source, thread_id, created_at) VALUES
         ('wheres my stuff', 'order_status', 'confirmed', 't1', '2025-01-01'),
         ('money back for the kettle?', 'refund_status', 'feedback', 't2', '2025-03-01')`,
    );
    expect(await readRouteLabels(db.pool)).toHaveLength(2);
    const recent = await readRouteLabels(db.pool, { since: new Date("2025-02-01") });
    expect(recent).toEqual([{ text: "money back for the kettle?", intent: "refund_status", source: "feedback" }]);
    await expect(db.pool.query(`INSERT INTO route_labels (text, intent, source) VALUES ('x', 'teleport', 'studio')`)).rejects.toThrow(/check/);
  });

  it("rejects a bad --since before doing any work", async () => {
    const r = await aisle(["train", "router", "--from-traces", "--since", "last tuesday"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--since: "last tuesday" is not a date/);
  });
});
