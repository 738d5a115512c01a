import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { LabelledUtterance } from "./intents.ts";
import { normalise } from "./featurise.ts";

const DATA_DIR = new URL("./data/", import.meta.url);
export const corpusPath = (name: string) => fileURLToPath(new URL(name, DATA_DIR));

/** Reads a JSONL file of `{text, intent}` lines, naming the line of any bad record. */
export function readLabelledJsonl(path: string): LabelledUtterance[] {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  const out: LabelledUtterance[] = [];
  raw.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${i + 1}: not valid JSON`);
    }
    const parsed = LabelledUtterance.safeParse(json);
    if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join(".") || "line"}: ${x.message}`).join("; ")}`);
    out.push({ text: parsed.data.text, intent: parsed.data.intent });
  });
  return out;
}

/**
 * Held-out membership by a hash of the normalised text: stable across regenerations, and
 * near-duplicates (same words, different ids/casing) always land on the same side.
 */
export function isHeldOut(text: string, percent = 15): boolean {
  const h = createHash("sha1").update(normalise(text)).digest();
  return h.readUInt32BE(0) % 100 < percent;
}

/**
 * The seed corpus: generated (templates + lexicon) and hand-written lines, split into train and a
 * held-out test set that is never trained on. `unseen.jsonl` (separately written phrasing) is
 * evaluation-only.
 */
export function loadSeedCorpus() {
  const all = [...readLabelledJsonl(corpusPath("generated.jsonl")), ...readLabelledJsonl(corpusPath("handwritten.jsonl"))];
  const train: LabelledUtterance[] = [];
  const test: LabelledUtterance[] = [];
  for (const e of all) (isHeldOut(e.text) ? test : train).push(e);
  return { train, test, unseen: readLabelledJsonl(corpusPath("unseen.jsonl")) };
}
