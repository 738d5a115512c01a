import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shippedRouter } from "../models/router/index.ts";
import { exportRouterModel, readRouterModelFile } from "../models/router/exporter.ts";
import { toDense } from "../models/router/featurise.ts";
import { loadSeedCorpus } from "../models/router/corpus.ts";

describe("ONNX export", () => {
  it("onnxruntime gives the TypeScript model's predictions on 200 inputs", async () => {
    const router = shippedRouter();
    const c = router.classifier;
    const dir = mkdtempSync(join(tmpdir(), "aisle-router-export-"));
    try {
      const files = exportRouterModel(c.file, dir);
      expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(["metadata.json", "router.json", "router.onnx"]);
      const meta = JSON.parse(readFileSync(join(dir, "metadata.json"), "utf8"));
      expect(meta).toMatchObject({ version: c.version, dataHash: c.file.dataHash, labels: c.labels });
      expect(readRouterModelFile(dir).version).toBe(c.version);

      const session = await ort.InferenceSession.create(join(dir, "router.onnx"));
      const { test, unseen } = loadSeedCorpus();
      const texts = [...unseen.slice(0, 100), ...test.filter((_, i) => i % 11 === 0).slice(0, 100)].map((e) => e.text);
      expect(texts).toHaveLength(200);
      const batch = new Float32Array(texts.length * c.dim);
      texts.forEach((t, i) => batch.set(toDense(c.featurise(t), c.dim), i * c.dim));
      const out = await session.run({ features: new ort.Tensor("float32", batch, [texts.length, c.dim]) });
      const probs = out.probabilities.data as Float32Array;
      expect(out.probabilities.dims).toEqual([texts.length, c.labels.length]);
      const K = c.labels.length;
      texts.forEach((t, i) => {
        const ts = c.probabilities(c.featurise(t));
        const row = probs.subarray(i * K, (i + 1) * K);
        const argmax = (xs: ArrayLike<number>) => Array.from(xs).reduce((b, x, k, a) => (x > a[b] ? k : b), 0);
        expect(c.labels[argmax(row)], t).toBe(c.labels[argmax(ts)]);
        for (let k = 0; k < K; k++) expect(Math.abs(row[k] - ts[k])).toBeLessThan(1e-4);
      });
      await session.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
