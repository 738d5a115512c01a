/**
 * Router benchmarks: `npx tsx bench/router.ts` (numbers go to docs/BENCHMARKS.md and docs/ROUTER.md).
 * - inference: featurise + classify + tier decision per query, over the unseen sets, after warm-up;
 * - training: a full training run on ~20k generated examples (featurise + 12 epochs + calibration);
 * - tiering curve: accuracy of the turns kept local vs the share sent to the LLM, per threshold.
 */
import { shippedRouter, ModelRouter } from "../models/router/index.ts";
import { readLabelledJsonl, corpusPath } from "../models/router/corpus.ts";
import { generateCorpus } from "../models/router/data/generate.ts";
import { trainRouter } from "../models/router/train.ts";
import { defaultFeaturiserConfig, DEFAULT_THRESHOLDS } from "../models/router/defaults.ts";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const router = shippedRouter();
const os = await import("node:os");
console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`);
const unseen = [...readLabelledJsonl(corpusPath("unseen.jsonl")), ...readLabelledJsonl(corpusPath("unseen2.jsonl"))];

// Inference.
const texts = unseen.map((e) => e.text);
for (let i = 0; i < 20_000; i++) router.route(texts[i % texts.length]);
const N = 200_000;
// Wall time and this process's CPU time: on a shared box the CPU time is the fairer number.
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
let t0 = performance.now();
let c0 = process.cpuUsage();
for (let i = 0; i < N; i++) router.route(texts[i % texts.length]);
const wallUs = ((performance.now() - t0) * 1000) / N;
const cpuUs = (cpuMs(process.cpuUsage(c0)) * 1000) / N;
console.log(`inference: ${wallUs.toFixed(1)} µs/query wall, ${cpuUs.toFixed(1)} µs/query CPU (route(), mean over ${N} queries, ${texts.length} distinct texts, avg ${Math.round(texts.reduce((a, t) => a + t.length, 0) / texts.length)} chars)`);

// Training on 20k.
const big = generateCorpus(1200, 99);
t0 = performance.now();
c0 = process.cpuUsage();
const model = trainRouter(big.slice(0, 20_000), { featuriser: defaultFeaturiserConfig(), thresholds: DEFAULT_THRESHOLDS });
console.log(`training: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${(cpuMs(process.cpuUsage(c0)) / 1000).toFixed(2)} s CPU for ${Math.min(20_000, big.length)} examples (${model.training.epochs} epochs, incl. featurising and calibration)`);

// Tiering curve on text not written for training.
const tiers = new ModelRouter(router.classifier);
const decisions = unseen.map((e) => ({ gold: e.intent, top: tiers.rank(e.text, undefined, 2) }));
console.log("\nminConfidence  mixedSecond  llm share  local accuracy");
for (const mixed of [1.01, 0.3, 0.2]) {
  for (const t of [0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]) {
    let local = 0, localOk = 0;
    for (const d of decisions) {
      const toLlm = d.top[0].p < t || (d.top[1]?.p ?? 0) >= mixed;
      if (!toLlm) {
        local++;
        if (d.top[0].intent === d.gold) localOk++;
      }
    }
    const share = 1 - local / decisions.length;
    console.log(`${t.toFixed(2).padStart(13)}  ${(mixed > 1 ? "off" : mixed.toFixed(2)).padStart(11)}  ${(share * 100).toFixed(1).padStart(8)}%  ${((localOk / Math.max(local, 1)) * 100).toFixed(1).padStart(13)}%`);
  }
}
