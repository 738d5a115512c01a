import { mkdtempSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_POLICY_DIR, PolicyEngine, PolicyLoadError, lintPolicies, quoteTotal, runPolicyExamples, QuoteError } from "../policies/index.ts";

const engine = PolicyEngine.load(DEFAULT_POLICY_DIR);
const shipped = readFileSync(join(DEFAULT_POLICY_DIR, "retail.yaml"), "utf8");

function packDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "aisle-policy-"));
  writeFileSync(join(dir, "retail.yaml"), text);
  return dir;
}

describe("the shipped retail pack", () => {
  test("every embedded example passes and lint is clean", () => {
    expect(runPolicyExamples(engine.compiled!).filter((r) => !r.ok)).toEqual([]);
    expect(lintPolicies(DEFAULT_POLICY_DIR).filter((f) => f.level === "error")).toEqual([]);
  });

  test("the version names pack, semver and content hash, and the hash follows the content", () => {
    expect(engine.version).toMatch(/^retail@\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    const edited = PolicyEngine.load(packDir(shipped.replace("refund_manager_approval_above: 500.0", "refund_manager_approval_above: 400.0")));
    expect(edited.version).not.toBe(engine.version);
    expect(edited.version.split("+")[0]).toBe(engine.version.split("+")[0]);
  });

  test("Gold and Platinum get free expedited shipping, Silver does not", () => {
    const fx = (tier: string) => engine.evaluate("shipping", { customer: { tier } }).effects.map((e) => e.effect);
    expect(fx("gold")).toContain("free_expedited_shipping");
    expect(fx("platinum")).toContain("free_expedited_shipping");
    expect(fx("silver")).not.toContain("free_expedited_shipping");
  });

  test("no promo code within 30 days of the last one", () => {
    expect(engine.evaluate("promotions", { customer: { days_since_last_promo: 29 } }).effects.map((e) => e.effect)).toEqual(["promo_cooldown"]);
    expect(engine.evaluate("promotions", { customer: { days_since_last_promo: 31 } }).effects).toEqual([]);
    expect(engine.evaluate("promotions", { customer: {} }).effects).toEqual([]);
    const apply = (days: number) => engine.evaluate("tool_call", { caller: { role: "customer" }, customer: { days_since_last_promo: days }, action: { kind: "promo" } });
    expect(apply(29).verdicts[0]).toMatchObject({ action: "block", rule_id: "promo.cooldown.apply" });
    expect(apply(31).verdicts).toEqual([]);
  });

  test("quoted totals apply state tax on the discounted subtotal and the tier's shipping perk", () => {
    const gold = quoteTotal({ subtotal: 100, state: "ca", tier: "Gold", shipping: "expedited" }, engine);
    expect(gold).toMatchObject({ shipping: 0, tax_rate: 0.0725, tax: 7.25, total: 107.25 });
    const silver = quoteTotal({ subtotal: 20, state: "TX", tier: "silver", shipping: "expedited", discount_pct: 10 }, engine);
    expect(silver).toMatchObject({ discount: 2, shipping: 14.99, tax: 1.13, total: 34.12 });
    expect(quoteTotal({ subtotal: 50, state: "OR" }, engine)).toMatchObject({ tax: 0, shipping: 0, total: 50 });
    expect(() => quoteTotal({ subtotal: 50, state: "XX" }, engine)).toThrow(QuoteError);
  });
});

describe("failing closed", () => {
  test("a restricting rule that cannot be evaluated blocks; a granting rule grants nothing", () => {
    const r = engine.evaluate("tool_call", { caller: { role: "associate" }, customer: {}, action: { kind: "discount", discount_pct: 12 } });
    expect(r.verdicts[0]).toMatchObject({ action: "block", rule_id: "discount.associate_regional_cap" });
    expect(r.errors[0]?.rule_id).toBe("discount.associate_regional_cap");
    const broken = PolicyEngine.load(packDir(shipped.replace(`'has(customer.tier) && customer.tier in ["gold", "platinum"]'`, "'customer.tier.size() > params.nope'")));
    expect(broken.evaluate("shipping", { customer: { tier: "gold" } }).effects.map((e) => e.effect)).not.toContain("free_expedited_shipping");
  });

  test("an engine that never loaded a valid pack blocks every stage", () => {
    const dead = new PolicyEngine(packDir("not: [valid"));
    expect(dead.reload()).toBe(false);
    expect(dead.evaluate("pricing", {}).verdicts[0]?.rule_id).toBe("policy.engine.unavailable");
  });
});

describe("loading and lint", () => {
  test("unknown fields and missing examples are load errors naming the problem", () => {
    expect(() => PolicyEngine.load(packDir(shipped.replace("    severity: info\n", "    severity: info\n    priority: 3\n")))).toThrow(/priority/);
    expect(() => PolicyEngine.load(packDir(shipped.replace(/version: \d+\.\d+\.\d+/, "version: one")))).toThrow(PolicyLoadError);
  });

  test("lint reports CEL type errors, unreachable and shadowed rules", () => {
    const extra = `
  - id: test.type_error
    description: adds a string to a number
    severity: low
    stage: pricing
    when: 'order.subtotal + customer.tier > 1.0'
    action: block
    message: x
    examples: [{ facts: {}, fires: false }]
  - id: test.unreachable
    description: never fires
    severity: low
    stage: pricing
    when: 'false'
    action: block
    message: x
    examples: [{ facts: {}, fires: false }]
  - id: test.shadowed
    description: duplicate of the tax rule
    severity: low
    stage: pricing
    when: 'has(order.ship_state) &&  order.ship_state in params.tax_rates'
    action: effect
    effect: other
    examples: [{ facts: {}, fires: false }]
  - id: test.int_arith
    description: int literal in double arithmetic
    severity: low
    stage: pricing
    when: 'order.subtotal * 2 > 10.0'
    action: block
    message: x
    examples: [{ facts: {}, fires: false }]
`;
    const findings = lintPolicies(packDir(shipped + extra));
    const byRule = (id: string) => findings.filter((f) => f.rule_id === id && f.level === "error").map((f) => f.message).join(" | ");
    expect(byRule("test.type_error")).toMatch(/overload/);
    expect(byRule("test.unreachable")).toMatch(/unreachable/);
    expect(byRule("test.shadowed")).toMatch(/shadowed: .*pricing.sales_tax/);
    expect(byRule("test.int_arith")).toMatch(/overload/);
  });
});

describe("hot reload", () => {
  test("an edit is picked up without restart; a broken edit keeps the last good version", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aisle-policy-watch-"));
    cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
    const file = join(dir, "retail.yaml");
    const e = PolicyEngine.load(dir);
    const v1 = e.version;
    const events: string[] = [];
    let signal: () => void = () => {};
    const next = () => new Promise<void>((resolve) => (signal = resolve));
    const stop = e.watch({ debounceMs: 20, onReload: (v) => (events.push(v.id), signal()), onError: (err) => (events.push(`error:${err.message}`), signal()) });
    try {
      let waiting = next();
      writeFileSync(file, shipped.replace(/version: \d+\.\d+\.\d+/, "version: 9.1.0").replace("refund_manager_approval_above: 500.0", "refund_manager_approval_above: 100.0"));
      await waiting;
      expect(e.version).toMatch(/^retail@9\.1\.0\+/);
      expect(e.evaluate("tool_call", { caller: { role: "customer" }, action: { kind: "refund", refund_amount: 150 } }).verdicts[0]?.action).toBe("escalate");
      const good = e.version;
      waiting = next();
      writeFileSync(file, "pack: retail\nversion: 1.2.0\nrules: [oops");
      await waiting;
      expect(events.at(-1)).toMatch(/^error:/);
      expect(e.version).toBe(good);
      expect(e.lastError).toBeTruthy();
      expect(v1).not.toBe(good);
    } finally {
      stop();
    }
  });
});
