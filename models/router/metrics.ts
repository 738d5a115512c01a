import type { Intent } from "./intents.ts";
import type { ClassificationMetrics } from "./model.ts";

/** Accuracy, macro-F1, per-intent precision/recall and the confusion matrix (rows = gold). */
export function classificationMetrics(labels: readonly Intent[], gold: readonly Intent[], predicted: readonly Intent[]): ClassificationMetrics {
  const K = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  let correct = 0;
  gold.forEach((g, i) => {
    const gi = index.get(g);
    const pi = index.get(predicted[i]);
    if (gi === undefined || pi === undefined) throw new Error(`unknown intent ${gi === undefined ? g : predicted[i]}`);
    confusion[gi][pi]++;
    if (gi === pi) correct++;
  });
  const perIntent: ClassificationMetrics["perIntent"] = {};
  let f1Sum = 0;
  let present = 0;
  labels.forEach((l, k) => {
    const tp = confusion[k][k];
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const predictedK = confusion.reduce((a, row) => a + row[k], 0);
    const precision = predictedK ? tp / predictedK : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perIntent[l] = { precision, recall, f1, support };
    // Macro-F1 over intents that occur in the gold set or were predicted, as sklearn does.
    if (support || predictedK) {
      f1Sum += f1;
      present++;
    }
  });
  return { n: gold.length, accuracy: gold.length ? correct / gold.length : 0, macroF1: present ? f1Sum / present : 0, perIntent, confusion };
}

/** The confusion matrix as an aligned text table with short column codes. */
export function formatConfusion(labels: readonly string[], confusion: number[][]): string {
  const code = (l: string) => l.split("_").map((p) => p.slice(0, 3)).join("_").slice(0, 7);
  const w = Math.max(...labels.map((l) => l.length));
  const cw = 7;
  const head = `${"gold \\ predicted".padEnd(w)} ${labels.map((l) => code(l).padStart(cw)).join(" ")}`;
  const rows = labels.map((l, i) => `${l.padEnd(w)} ${confusion[i].map((c) => (c ? String(c) : ".").padStart(cw)).join(" ")}`);
  return [head, ...rows].join("\n");
}
