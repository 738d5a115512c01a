import { z } from "zod";
import { agentFor, INTENTS, AGENTS, type Intent } from "./intents.ts";
import { Classifier, type TierThresholds } from "./model.ts";
import type { EntityHints } from "./featurise.ts";

export const RouteDecision = z.object({
  intent: INTENTS,
  /** Calibrated probability of `intent`. */
  confidence: z.number(),
  agent: AGENTS,
  /** "local": the embedded model can handle the turn; "llm": it needs the LLM tier. */
  tier: z.enum(["local", "llm"]),
  /** Why this tier, in words a trace reader understands. */
  reason: z.string(),
  /** The router model version that made the decision (recorded in the turn's trace). */
  version: z.string(),
  top: z.array(z.object({ intent: INTENTS, p: z.number() })),
  /**
   * The intent itself is uncertain (low confidence or two intents). Without an LLM configured the
   * caller should ask a clarifying question rather than guess; with one, the LLM decides.
   */
  needsClarification: z.boolean(),
});
export type RouteDecision = z.infer<typeof RouteDecision>;

export interface Router {
  readonly version: string;
  route(text: string, hints?: EntityHints): RouteDecision;
}

// Verbs that each start a different consequential workflow; two of them joined by a connector is
// a multi-step request ("cancel X and return Y") even when one intent dominates the wording.
const ACTION_FAMILIES: readonly RegExp[] = [
  /\bcancel/,
  /\breturn(?!ing customer)/,
  /\bexchange|\bswap\b/,
  /\brefund/,
  /\b(?:change|update|modify|switch)\b[^.?!]{0,40}\b(?:address|payment|card|size|colou?r|item|order)/,
  /\b(?:track|where is|status of)\b/,
];
const CONNECTOR = /\b(?:and then|and also|also|then|after that|plus|as well as|and)\b/;
const ORDER_IDS = /#?\bw\d{7}\b/gi;

/** Heuristic signs that a turn needs several tool steps (several orders, several workflows). */
export function multiStepSignal(text: string): string | undefined {
  const lower = text.toLowerCase();
  const orders = new Set((text.match(ORDER_IDS) ?? []).map((s) => s.replace("#", "").toUpperCase()));
  if (orders.size >= 2) return `${orders.size} different orders`;
  const families = ACTION_FAMILIES.filter((re) => re.test(lower)).length;
  if (families >= 2 && CONNECTOR.test(lower)) return `${families} different actions requested`;
  return undefined;
}

/** The trained classifier plus the tiering rules: Aisle's router. */
export class ModelRouter implements Router {
  private readonly probs: Float64Array<ArrayBuffer>;
  constructor(
    readonly classifier: Classifier,
    readonly thresholds: TierThresholds = classifier.file.thresholds,
  ) {
    this.probs = new Float64Array(classifier.labels.length);
  }

  get version() {
    return this.classifier.version;
  }

  /** Top-k intents with calibrated probabilities, most likely first. */
  rank(text: string, hints?: EntityHints, k = 3): { intent: Intent; p: number }[] {
    const probs = this.classifier.probabilities(this.classifier.featurise(text, hints), this.probs);
    const labels = this.classifier.labels;
    // Selection of the k best without sorting all labels: k is 2–3, labels 17.
    const top: { intent: Intent; p: number }[] = [];
    const taken = new Uint8Array(probs.length);
    for (let r = 0; r < Math.min(k, probs.length); r++) {
      let best = -1;
      for (let i = 0; i < probs.length; i++) if (!taken[i] && (best < 0 || probs[i] > probs[best])) best = i;
      taken[best] = 1;
      top.push({ intent: labels[best], p: probs[best] });
    }
    return top;
  }

  route(text: string, hints?: EntityHints): RouteDecision {
    const top = this.rank(text, hints);
    const [first, second] = top;
    const { minConfidence, mixedSecond } = this.thresholds;
    const mixed = second !== undefined && second.p >= mixedSecond;
    const lowConfidence = first.p < minConfidence;
    const multiStep = text.trim() ? multiStepSignal(text) : undefined;
    let reason: string;
    if (!text.trim()) reason = "empty message";
    else if (lowConfidence) reason = `low confidence ${first.p.toFixed(2)} < ${minConfidence}`;
    else if (mixed) reason = `mixed intents: ${first.intent} ${first.p.toFixed(2)} + ${second.intent} ${second.p.toFixed(2)}`;
    else if (multiStep) reason = `multi-step: ${multiStep}`;
    else reason = `confident ${first.intent} ${first.p.toFixed(2)}`;
    const needsClarification = !text.trim() || lowConfidence || mixed;
    return {
      intent: first.intent,
      confidence: first.p,
      agent: agentFor(first.intent),
      tier: needsClarification || multiStep ? "llm" : "local",
      reason,
      version: this.version,
      top: top.map((t) => ({ intent: t.intent, p: Number(t.p.toFixed(4)) })),
      needsClarification,
    };
  }
}
