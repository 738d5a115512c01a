import { z } from "zod";
import { createHash } from "node:crypto";
import { INTENTS, type Intent } from "./intents.ts";
import { FeaturiserConfig, featureDim, featurise, type EntityHints, type SparseVector } from "./featurise.ts";

/** When a turn leaves the local model: chosen from the accuracy-vs-LLM-share curve in docs/ROUTER.md. */
export const TierThresholds = z.object({
  /** Below this calibrated top-1 probability the turn goes to the LLM tier. */
  minConfidence: z.number().min(0).max(1),
  /** A second intent at least this probable means the message mixes two asks. */
  mixedSecond: z.number().min(0).max(1),
});
export type TierThresholds = z.infer<typeof TierThresholds>;

export const ClassificationMetrics = z.object({
  n: z.number().int(),
  accuracy: z.number(),
  macroF1: z.number(),
  perIntent: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  /** confusion[gold][predicted] = count, rows and columns in label order. */
  confusion: z.array(z.array(z.number().int())),
});
export type ClassificationMetrics = z.infer<typeof ClassificationMetrics>;

export const TrainingInfo = z.object({
  examples: z.number().int(),
  validation: z.number().int(),
  epochs: z.number().int(),
  l2: z.number(),
  learningRate: z.number(),
  seed: z.number().int(),
  sources: z.record(z.string(), z.number().int()),
});

/** The model file: everything needed to route offline, in one JSON document. */
export const RouterModelFile = z.object({
  format: z.literal("aisle-router/1"),
  version: z.string().min(1),
  createdAt: z.string(),
  labels: z.array(INTENTS).min(2),
  featuriser: FeaturiserConfig,
  /** Little-endian float32, row-major [featureDim][labels.length], base64. */
  weights: z.string(),
  bias: z.array(z.number()),
  temperature: z.number().positive(),
  thresholds: TierThresholds,
  dataHash: z.string(),
  metrics: z.record(z.string(), ClassificationMetrics),
  training: TrainingInfo,
});
export type RouterModelFile = z.infer<typeof RouterModelFile>;

/** A loaded classifier: decoded weights and a `predict` that returns calibrated probabilities. */
export class Classifier {
  readonly labels: readonly Intent[];
  readonly dim: number;
  readonly weights: Float32Array;
  readonly bias: Float64Array;
  private readonly logits: Float64Array;

  constructor(readonly file: RouterModelFile) {
    this.labels = file.labels;
    this.dim = featureDim(file.featuriser);
    const buf = Buffer.from(file.weights, "base64");
    const K = file.labels.length;
    if (buf.byteLength !== this.dim * K * 4) {
      throw new Error(`router model ${file.version}: weights hold ${buf.byteLength} bytes, expected ${this.dim * K * 4} (${this.dim}×${K} float32)`);
    }
    if (file.bias.length !== K) throw new Error(`router model ${file.version}: ${file.bias.length} biases for ${K} labels`);
    this.weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    this.bias = Float64Array.from(file.bias);
    this.logits = new Float64Array(K);
  }

  static fromJson(json: unknown): Classifier {
    const parsed = RouterModelFile.safeParse(json);
    if (!parsed.success) throw new Error(`not an Aisle router model: ${z.prettifyError(parsed.error)}`);
    return new Classifier(parsed.data);
  }

  get version() {
    return this.file.version;
  }

  featurise(text: string, hints?: EntityHints): SparseVector {
    return featurise(text, this.file.featuriser, hints);
  }

  /** Calibrated class probabilities, in label order. */
  probabilities(x: SparseVector, out: Float64Array = new Float64Array(this.labels.length)): Float64Array {
    const K = this.labels.length;
    const z = this.logits;
    z.set(this.bias);
    const W = this.weights;
    const idx = x.idx;
    const val = x.val;
    for (let i = 0; i < idx.length; i++) {
      const base = idx[i] * K;
      const v = val[i];
      for (let k = 0; k < K; k++) z[k] += v * W[base + k];
    }
    softmaxInto(z, 1 / this.file.temperature, out);
    return out;
  }
}

export function softmaxInto(z: ArrayLike<number>, scale: number, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < out.length; k++) max = Math.max(max, z[k] * scale);
  let sum = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = Math.exp(z[k] * scale - max);
    sum += out[k];
  }
  for (let k = 0; k < out.length; k++) out[k] /= sum;
  return out;
}

export const encodeWeights = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("base64");

/** Order-independent hash of a labelled corpus: the same examples always give the same hash. */
export function hashExamples(examples: readonly { text: string; intent: string }[]): string {
  const lines = examples.map((e) => `${e.intent}\t${e.text}`).sort();
  const h = createHash("sha256");
  for (const l of lines) h.update(l).update("\n");
  return h.digest("hex");
}
