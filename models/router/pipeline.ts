import type pg from "pg";
import { loadSeedCorpus, readLabelledJsonl, corpusPath } from "./corpus.ts";
import { defaultFeaturiserConfig, DEFAULT_THRESHOLDS } from "./defaults.ts";
import { readRouteLabels } from "./store.ts";
import { trainRouter, type TrainOptions } from "./train.ts";
import type { RouterModelFile } from "./model.ts";
import type { LabelledUtterance } from "./intents.ts";

export interface TrainPipelineOptions {
  /** Add confirmed route labels from Postgres (needs `pool`). */
  fromTraces?: boolean;
  since?: Date;
  pool?: pg.Pool;
  epochs?: number;
  seed?: number;
  onProgress?: TrainOptions["onProgress"];
  log?: (msg: string) => void;
}

/**
 * The standard training run: seed corpus train split (+ trace labels), evaluated on the held-out
 * test split and the three separately written unseen sets, none of which is ever trained on.
 */
export async function trainRouterVersion(opts: TrainPipelineOptions = {}): Promise<RouterModelFile> {
  const log = opts.log ?? (() => {});
  const { train, test, unseen } = loadSeedCorpus();
  const unseen2 = readLabelledJsonl(corpusPath("unseen2.jsonl"));
  const unseen3 = readLabelledJsonl(corpusPath("unseen3.jsonl"));
  const sources: Record<string, number> = { seed: train.length };
  let examples: LabelledUtterance[] = train;
  if (opts.fromTraces) {
    if (!opts.pool) throw new Error("--from-traces needs the database");
    const labels = await readRouteLabels(opts.pool, { since: opts.since });
    for (const l of labels) sources[`traces:${l.source}`] = (sources[`traces:${l.source}`] ?? 0) + 1;
    log(`Read ${labels.length} confirmed route label(s) from traces${opts.since ? ` since ${opts.since.toISOString()}` : ""}.`);
    examples = [...train, ...labels.map(({ text, intent }) => ({ text, intent }))];
  }
  log(`Training on ${examples.length} examples (${Object.entries(sources).map(([k, v]) => `${v} ${k}`).join(", ")}).`);
  return trainRouter(examples, {
    featuriser: defaultFeaturiserConfig(),
    thresholds: DEFAULT_THRESHOLDS,
    epochs: opts.epochs,
    seed: opts.seed,
    sources,
    evaluateOn: { test, unseen, unseen2, unseen3 },
    onProgress: opts.onProgress,
  });
}
