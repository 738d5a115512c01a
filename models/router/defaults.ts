import type { FeaturiserConfig } from "./featurise.ts";
import type { TierThresholds } from "./model.ts";
import { loadLexicon, productTerms } from "./data/lexicon.ts";

/**
 * 2^14 hashed buckets: ~1.1 MB of float32 weights for 17 intents, few harmful collisions for the
 * ~30k distinct n-grams of the corpus. Char 3–5-grams carry typos and inflections.
 */
export function defaultFeaturiserConfig(): FeaturiserConfig {
  return { hashBits: 14, wordNgrams: 2, charNgramMin: 3, charNgramMax: 5, productTerms: productTerms(loadLexicon()) };
}

/** Chosen from the accuracy-vs-LLM-share curve on the unseen set (docs/ROUTER.md). */
export const DEFAULT_THRESHOLDS: TierThresholds = { minConfidence: 0.8, mixedSecond: 0.2 };
