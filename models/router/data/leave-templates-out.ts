/**
 * Leave-templates-out check: `npx tsx models/router/data/leave-templates-out.ts [fold 0-4]`.
 * Trains on the lines of 80% of each intent's templates and scores the lines of the other 20%.
 * The ordinary held-out split shares templates with training (it measures fit); this one measures
 * generalisation to sentence shapes the model never saw, so it is the one to compare corpus sizes,
 * L2, epochs or featuriser settings on without touching the sealed unseen sets.
 * Env: PER (lines per intent, default the generator's), L2, EPOCHS, CFG (JSON featuriser overrides).
 */
import { generateTagged } from "./generate.ts";
import { trainRouter } from "../train.ts";
import { defaultFeaturiserConfig, DEFAULT_THRESHOLDS } from "../defaults.ts";
import { Classifier } from "../model.ts";
import { ModelRouter } from "../router.ts";

const fold = Number(process.argv[2] ?? 0);
const all = process.env.PER ? generateTagged(Number(process.env.PER)) : generateTagged();
// A multiplicative hash spreads each intent's templates over the five folds.
const held = (t: number) => ((t * 2654435761) >>> 0) % 5 === fold;
const train = all.filter((e) => !held(e.template));
const test = all.filter((e) => held(e.template));
const featuriser = { ...defaultFeaturiserConfig(), ...(process.env.CFG ? JSON.parse(process.env.CFG) : {}) };
const model = trainRouter(train, {
  featuriser,
  thresholds: DEFAULT_THRESHOLDS,
  epochs: process.env.EPOCHS ? Number(process.env.EPOCHS) : undefined,
  l2: process.env.L2 ? Number(process.env.L2) : undefined,
});
const router = new ModelRouter(Classifier.fromJson(model));
let ok = 0;
for (const e of test) if (router.rank(e.text, undefined, 1)[0].intent === e.intent) ok++;
console.log(`fold ${fold}: trained on ${train.length}, leave-templates-out accuracy ${((100 * ok) / test.length).toFixed(2)}% on ${test.length}`);
