import { INTENT_LIST, type Intent, type LabelledUtterance } from "./intents.ts";
import { featureDim, featurise, type FeaturiserConfig, type SparseVector } from "./featurise.ts";
import { Classifier, encodeWeights, hashExamples, softmaxInto, type RouterModelFile, type TierThresholds } from "./model.ts";
import { classificationMetrics } from "./metrics.ts";
import { createHash } from "node:crypto";
import { mulberry32 } from "../../db/seed/retailPlane/random.ts";

export interface TrainOptions {
  featuriser: FeaturiserConfig;
  thresholds: TierThresholds;
  epochs?: number;
  /** L2 penalty per example (weight decay applied at every step). */
  l2?: number;
  learningRate?: number;
  seed?: number;
  /** Share of each intent kept aside for temperature calibration and validation metrics. */
  validationFraction?: number;
  /** Counts per data source (seed corpus, traces…), recorded in the model's metadata. */
  sources?: Record<string, number>;
  /** Extra labelled sets to score the final model on (e.g. the held-out test split). */
  evaluateOn?: Record<string, readonly LabelledUtterance[]>;
  onProgress?: (phase: "featurise" | "epoch" | "calibrate" | "evaluate", done: number, total: number) => void;
}

/** Seedable PRNG (mulberry32, the retail plane's): training must be reproducible bit for bit. */
export const rng = mulberry32;

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Stratified split: the same fraction of every intent goes to validation. */
export function stratifiedSplit<T extends { intent: Intent }>(xs: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  const rand = rng(seed);
  const byIntent = new Map<Intent, T[]>();
  for (const x of xs) (byIntent.get(x.intent) ?? byIntent.set(x.intent, []).get(x.intent)!).push(x);
  const train: T[] = [];
  const validation: T[] = [];
  for (const intent of INTENT_LIST) {
    const group = shuffle([...(byIntent.get(intent) ?? [])], rand);
    const nVal = group.length >= 5 ? Math.round(group.length * fraction) : 0;
    validation.push(...group.slice(0, nVal));
    train.push(...group.slice(nVal));
  }
  return { train, validation };
}

/**
 * Multinomial logistic regression by SGD with L2 and class-balanced example weights, then
 * temperature scaling on the validation split so that `confidence` means what it says.
 * L2 uses the scaled-weights trick (W = scale·V) so each step only touches the example's features.
 */
export function trainRouter(examples: readonly LabelledUtterance[], opts: TrainOptions): RouterModelFile {
  const epochs = opts.epochs ?? 12;
  const l2 = opts.l2 ?? 1e-5;
  const lr0 = opts.learningRate ?? 0.5;
  const seed = opts.seed ?? 7;
  const labels = INTENT_LIST;
  const K = labels.length;
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const dim = featureDim(opts.featuriser);
  const progress = opts.onProgress ?? (() => {});

  // Canonical order first: the model depends on the set of examples, not on how they were listed.
  const canonical = [...examples].sort((a, b) => (a.intent < b.intent ? -1 : a.intent > b.intent ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const { train, validation } = stratifiedSplit(canonical, opts.validationFraction ?? 0.1, seed);
  if (train.length === 0) throw new Error("no training examples");

  const xs: SparseVector[] = new Array(train.length);
  const ys = new Int32Array(train.length);
  train.forEach((e, i) => {
    xs[i] = featurise(e.text, opts.featuriser);
    ys[i] = labelIndex.get(e.intent)!;
    if (i % 2000 === 0) progress("featurise", i, train.length);
  });
  progress("featurise", train.length, train.length);

  // Class balancing: every intent carries the same total weight whatever its example count.
  const counts = new Array<number>(K).fill(0);
  for (const y of ys) counts[y]++;
  const present = counts.filter((c) => c > 0).length;
  const classWeight = counts.map((c) => (c ? train.length / (present * c) : 0));

  const V = new Float32Array(dim * K);
  const bias = new Float64Array(K);
  let scale = 1;
  const p = new Float64Array(K);
  const z = new Float64Array(K);
  const order = Int32Array.from({ length: train.length }, (_, i) => i);
  const rand = rng(seed ^ 0x5eed);
  const totalSteps = epochs * train.length;
  let step = 0;

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order as unknown as number[], rand);
    for (let o = 0; o < order.length; o++, step++) {
      const i = order[o];
      const x = xs[i];
      // Linear decay of the step size: large early moves, fine convergence at the end.
      const lr = lr0 * (1 - step / totalSteps) + lr0 * 0.01;
      z.set(bias);
      for (let a = 0; a < x.idx.length; a++) {
        const base = x.idx[a] * K;
        const v = x.val[a] * scale;
        for (let k = 0; k < K; k++) z[k] += v * V[base + k];
      }
      softmaxInto(z, 1, p);
      const w = classWeight[ys[i]];
      p[ys[i]] -= 1; // gradient of the cross-entropy w.r.t. the logits
      scale *= 1 - lr * l2;
      const g = (lr * w) / scale;
      for (let a = 0; a < x.idx.length; a++) {
        const base = x.idx[a] * K;
        const v = x.val[a] * g;
        for (let k = 0; k < K; k++) V[base + k] -= v * p[k];
      }
      for (let k = 0; k < K; k++) bias[k] -= lr * w * p[k];
      if (scale < 1e-4) {
        for (let j = 0; j < V.length; j++) V[j] *= scale;
        scale = 1;
      }
    }
    progress("epoch", epoch + 1, epochs);
  }
  for (let j = 0; j < V.length; j++) V[j] *= scale;

  const draft: RouterModelFile = {
    format: "aisle-router/1",
    version: "draft",
    createdAt: new Date(0).toISOString(),
    labels: [...labels],
    featuriser: opts.featuriser,
    weights: encodeWeights(V),
    bias: Array.from(bias),
    temperature: 1,
    thresholds: opts.thresholds,
    dataHash: hashExamples(examples),
    metrics: {},
    training: {
      examples: train.length,
      validation: validation.length,
      epochs,
      l2,
      learningRate: lr0,
      seed,
      sources: opts.sources ?? { given: examples.length },
    },
  };

  progress("calibrate", 0, 1);
  draft.temperature = validation.length ? fitTemperature(new Classifier(draft), validation) : 1;
  progress("calibrate", 1, 1);

  const classifier = new Classifier(draft);
  const sets: Record<string, readonly LabelledUtterance[]> = { validation, ...(opts.evaluateOn ?? {}) };
  let done = 0;
  for (const [name, set] of Object.entries(sets)) {
    if (set.length) draft.metrics[name] = evaluateClassifier(classifier, set);
    progress("evaluate", ++done, Object.keys(sets).length);
  }
  // The version names the weights, so the same data and settings always give the same version.
  draft.version = `router-${createHash("sha256").update(draft.weights).update(String(draft.temperature)).update(JSON.stringify(draft.thresholds)).digest("hex").slice(0, 12)}`;
  draft.createdAt = new Date().toISOString();
  return draft;
}

export function predictIntent(c: Classifier, text: string): Intent {
  const probs = c.probabilities(c.featurise(text));
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k] > probs[best]) best = k;
  return c.labels[best];
}

export function evaluateClassifier(c: Classifier, set: readonly LabelledUtterance[]) {
  return classificationMetrics(
    c.labels,
    set.map((e) => e.intent),
    set.map((e) => predictIntent(c, e.text)),
  );
}

/**
 * Temperature scaling (Guo et al. 2017): one scalar T minimising the validation negative
 * log-likelihood of softmax(logits / T). Golden-section search on log T; NLL is unimodal in T.
 */
export function fitTemperature(c: Classifier, validation: readonly LabelledUtterance[]): number {
  const K = c.labels.length;
  const labelIndex = new Map(c.labels.map((l, i) => [l, i]));
  // Raw logits = log of the T=1 probabilities up to a constant, which softmax ignores.
  const logits = validation.map((e) => {
    const x = c.featurise(e.text);
    const z = Float64Array.from(c.bias);
    for (let a = 0; a < x.idx.length; a++) {
      const base = x.idx[a] * K;
      for (let k = 0; k < K; k++) z[k] += x.val[a] * c.weights[base + k];
    }
    return z;
  });
  const gold = validation.map((e) => labelIndex.get(e.intent)!);
  const p = new Float64Array(K);
  const nll = (logT: number) => {
    const inv = Math.exp(-logT);
    let s = 0;
    logits.forEach((z, i) => {
      softmaxInto(z, inv, p);
      s -= Math.log(Math.max(p[gold[i]], 1e-12));
    });
    return s;
  };
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const a = hi - phi * (hi - lo);
    const b = lo + phi * (hi - lo);
    if (nll(a) < nll(b)) hi = b;
    else lo = a;
  }
  return Number(Math.exp((lo + hi) / 2).toFixed(6));
}
