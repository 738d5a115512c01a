import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync, statSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifierToOnnx } from "./onnx.ts";
import { Classifier, RouterModelFile } from "./model.ts";
import { featureDim, ENTITY_FEATURES } from "./featurise.ts";

export const EXPORT_FILES = { model: "router.json", onnx: "router.onnx", metadata: "metadata.json" } as const;

/**
 * Writes the model as JSON (weights, featuriser config, metadata), its ONNX graph and a small
 * metadata.json, into `dir`. Files are written under temporary names and renamed, so an
 * interrupted export never leaves a half-written model behind.
 */
export function exportRouterModel(model: RouterModelFile, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const classifier = new Classifier(model);
  const metadata = {
    version: model.version,
    createdAt: model.createdAt,
    dataHash: model.dataHash,
    labels: model.labels,
    metrics: Object.fromEntries(Object.entries(model.metrics).map(([k, m]) => [k, { n: m.n, accuracy: m.accuracy, macroF1: m.macroF1 }])),
    temperature: model.temperature,
    thresholds: model.thresholds,
    featuriser: { ...model.featuriser, dim: featureDim(model.featuriser), entityFeatures: ENTITY_FEATURES, hashing: "FNV-1a 32-bit, sign from the top bit; see models/router/featurise.ts" },
    onnx: { file: EXPORT_FILES.onnx, input: "features [batch, dim] float32", output: "probabilities [batch, labels] float32" },
  };
  const outputs: [string, string | Uint8Array][] = [
    [EXPORT_FILES.model, JSON.stringify(model)],
    [EXPORT_FILES.onnx, classifierToOnnx(classifier)],
    [EXPORT_FILES.metadata, JSON.stringify(metadata, null, 2) + "\n"],
  ];
  const written: string[] = [];
  try {
    for (const [name, data] of outputs) {
      const tmp = join(dir, `.${name}.tmp-${process.pid}`);
      writeFileSync(tmp, data);
      written.push(tmp);
    }
    return outputs.map(([name], i) => {
      const target = join(dir, name);
      renameSync(written[i], target);
      return target;
    });
  } finally {
    for (const tmp of written) rmSync(tmp, { force: true });
  }
}

/** Reads a model file, or the router.json inside an export directory; validates it fully. */
export function readRouterModelFile(path: string): RouterModelFile {
  if (!existsSync(path)) throw new Error(`no such file or directory: ${path}`);
  const file = statSync(path).isDirectory() ? join(path, EXPORT_FILES.model) : path;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not a JSON router model: ${(err as Error).message}`);
  }
  // Constructing the classifier also checks the weights match the declared shape.
  return Classifier.fromJson(json).file;
}
