import { describe, expect, it } from "vitest";
import {
  INTENTS,
  AGENT_BY_INTENT,
  shippedRouter,
  loadRouter,
  featurise,
  normalise,
  multiStepSignal,
  ModelRouter,
} from "../models/router/index.ts";
import { loadSeedCorpus, readLabelledJsonl, corpusPath, isHeldOut } from "../models/router/corpus.ts";
import { evaluateClassifier, trainRouter } from "../models/router/train.ts";
import { Classifier } from "../models/router/model.ts";
import { generateCorpus } from "../models/router/data/generate.ts";
import { productTerms, loadLexicon } from "../models/router/data/lexicon.ts";

const router = shippedRouter();

describe("router contract", () => {
  it("covers exactly the 17 intents and maps each to its agent", () => {
    expect(INTENTS.options).toHaveLength(17);
    expect(router.classifier.labels).toEqual(INTENTS.options);
    expect(AGENT_BY_INTENT.return_request).toBe("payments");
    expect(AGENT_BY_INTENT.stock_check).toBe("inventory");
    expect(AGENT_BY_INTENT.human_agent).toBe("handoff");
    expect(AGENT_BY_INTENT.loyalty).toBe("orders");
  });

  it("loadRouter() without a pool returns the shipped model", async () => {
    expect((await loadRouter()).version).toBe(router.version);
  });

  it("returns a complete decision whose probabilities are ranked and calibrated", () => {
    const d = router.route("where is my order #W2611340, it was supposed to arrive monday");
    expect(d.intent).toBe("order_status");
    expect(d.agent).toBe("orders");
    expect(d.version).toBe(router.version);
    expect(d.top[0].intent).toBe(d.intent);
    expect(d.top.map((t) => t.p)).toEqual([...d.top.map((t) => t.p)].sort((a, b) => b - a));
    const probs = router.classifier.probabilities(router.classifier.featurise("hello"));
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe("held-out accuracy", () => {
  const { train, test, unseen } = loadSeedCorpus();
  const unseen2 = readLabelledJsonl(corpusPath("unseen2.jsonl"));
  const unseen3 = readLabelledJsonl(corpusPath("unseen3.jsonl"));

  it("never trains on the held-out split", () => {
    const trainKeys = new Set(train.map((e) => e.text));
    expect(test.length).toBeGreaterThan(800);
    for (const e of test) expect(trainKeys.has(e.text)).toBe(false);
    expect(test.every((e) => isHeldOut(e.text))).toBe(true);
  });

  // The held-out split shares templates with training, so it measures fit, not generalisation:
  // measured 97.9% on 4,541; the floor allows ±3 points of retraining noise.
  it("scores ≥ 95% on the held-out test split", () => {
    const m = evaluateClassifier(router.classifier, test);
    expect(m.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(m.macroF1).toBeGreaterThanOrEqual(0.95);
  });

  // The honest estimate: 690 messages written separately, in other phrasing, never trained on.
  // Measured 97.5% (99.2% / 98.5% / 95.7%); with n=690 the 95% interval is about ±1.5 points, so a
  // floor of 93% catches a real regression without failing on retraining noise.
  it("scores ≥ 93% on the separately written unseen sets", () => {
    const m = evaluateClassifier(router.classifier, [...unseen, ...unseen2, ...unseen3]);
    expect(m.n).toBeGreaterThan(680);
    expect(m.accuracy).toBeGreaterThanOrEqual(0.93);
  });

  // unseen3 was written blind (before its author read the corpus generator) and is never used to
  // choose anything: measured 95.7% on 299; its 95% interval is about ±2.6 points, hence 91%.
  it("scores ≥ 91% on the blind unseen3 set", () => {
    const m = evaluateClassifier(router.classifier, unseen3);
    expect(m.n).toBeGreaterThanOrEqual(250);
    expect(m.accuracy).toBeGreaterThanOrEqual(0.91);
  });

  it("separates the near-miss pairs on fresh wording", () => {
    const cases: [string, string][] = [
      ["I sent the blender back a month ago and still haven't seen my money", "refund_status"],
      ["what are the rules for returning opened electronics?", "policy_question"],
      ["the boots don't fit, I'd like a size 10 instead", "exchange_request"],
      ["how much does shipping to Chicago usually cost", "shipping_info"],
      ["is the red backpack in stock at store 14", "stock_check"],
      ["what material is the office chair made of", "product_info"],
    ];
    for (const [text, intent] of cases) expect(router.route(text).intent, text).toBe(intent);
  });
});

describe("tiering", () => {
  it("keeps a clear single ask local", () => {
    const d = router.route("cancel order #W2611340 please");
    expect(d).toMatchObject({ intent: "cancel_order", tier: "local", needsClarification: false });
  });

  it("sends multi-order, multi-action turns to the LLM without asking to clarify", () => {
    const d = router.route("cancel #W2611340 and also return the kettle from #W7678072");
    expect(d.tier).toBe("llm");
    expect(d.reason).toMatch(/multi-step/);
    expect(multiStepSignal("please cancel my order and then return the lamp")).toMatch(/actions/);
  });

  it("asks for clarification when the model is unsure", () => {
    const unsure = new ModelRouter(router.classifier, { minConfidence: 0.999999, mixedSecond: 1 });
    const d = unsure.route("hmm the thing");
    expect(d.tier).toBe("llm");
    expect(d.needsClarification).toBe(true);
    expect(d.reason).toMatch(/low confidence/);
    expect(router.route("   ").needsClarification).toBe(true);
  });

  it("flags a message mixing two intents", () => {
    const strict = new ModelRouter(router.classifier, { minConfidence: 0, mixedSecond: 0 });
    const d = strict.route("where is my refund and what are your store hours");
    expect(d.tier).toBe("llm");
    expect(d.reason).toMatch(/mixed intents/);
  });
});

describe("featuriser", () => {
  const cfg = router.classifier.file.featuriser;
  it("computes entity flags itself and lets the caller's hints override them", () => {
    const dim = 1 << cfg.hashBits;
    const flags = (text: string, hints = {}) => {
      const v = featurise(text, cfg, hints);
      return Array.from(v.idx).filter((i) => i >= dim).map((i) => i - dim);
    };
    // hasOrderId is dense feature 0, hasProduct 2.
    expect(flags("status of #W2611340")).toContain(0);
    expect(flags("is the gaming mouse in stock")).toContain(2);
    expect(flags("status of my order", { hasOrderId: true })).toContain(0);
    expect(flags("status of #W2611340", { hasOrderId: false })).not.toContain(0);
  });

  it("is robust to ids and typos: different ids give the same vector", () => {
    const a = featurise("where is #W2611340", cfg);
    const b = featurise("where is #W7678072", cfg);
    expect(Array.from(a.idx)).toEqual(Array.from(b.idx));
    expect(router.route("wher is my ordr").intent).toBe("order_status");
  });

  it("reduces tracking numbers, reference numbers and phone numbers to class tokens", () => {
    // Different tracking / RMA / phone numbers must give the same vector, and an RMA or order
    // reference must not pass for a zip (which would raise the hasZip flag).
    expect(normalise("track 1Z999AA10123456784 pls")).toBe(normalise("track 1Z204BB99887766554 pls"));
    expect(normalise("tracking 1Z999AA10123456784")).toBe("tracking zcode");
    expect(normalise("RMA-20931 status")).toBe("rma znum status");
    expect(normalise("ship to 80279")).toBe("ship to zzip");
    expect(normalise("call me at 555-010-1234")).toBe(normalise("call me at 555-987-6543"));
    // Promo codes and units keep their word, only the digits go.
    expect(normalise("code SAVE20 on the 128gb one")).toBe("code save znum on the znum gb one");
  });
});

describe("training", () => {
  const small = generateCorpus(40, 1);
  const featuriser = { hashBits: 10, wordNgrams: 2, charNgramMin: 3, charNgramMax: 4, productTerms: productTerms(loadLexicon()) };
  const thresholds = { minConfidence: 0.5, mixedSecond: 0.3 };

  it("is deterministic: same data and seed give the same weights and version", () => {
    const a = trainRouter(small, { featuriser, thresholds, epochs: 3, seed: 3 });
    const b = trainRouter([...small].reverse(), { featuriser, thresholds, epochs: 3, seed: 3 });
    expect(a.version).toBe(b.version);
    expect(a.weights).toBe(b.weights);
    expect(a.dataHash).toBe(b.dataHash);
    const c = trainRouter(small, { featuriser, thresholds, epochs: 3, seed: 4 });
    expect(c.weights).not.toBe(a.weights);
  });

  it("learns: a small model beats chance by far and calibrates a temperature", () => {
    const m = trainRouter(small, { featuriser, thresholds, epochs: 5, evaluateOn: { test: generateCorpus(10, 2) } });
    expect(m.metrics.test.accuracy).toBeGreaterThan(0.6);
    expect(m.temperature).toBeGreaterThan(0);
    expect(new Classifier(m).labels).toEqual(INTENTS.options);
  });
});
