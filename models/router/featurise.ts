import { z } from "zod";

/**
 * Turns a message into a fixed-length sparse vector: hashed word uni/bi-grams, hashed character
 * n-grams (robust to typos and unseen inflections), and a few dense entity flags. The hashed part is
 * L2-normalised so long rambling messages and terse fragments live on the same scale.
 */
export const FeaturiserConfig = z.object({
  hashBits: z.number().int().min(8).max(22),
  wordNgrams: z.number().int().min(1).max(3),
  charNgramMin: z.number().int().min(2).max(6),
  charNgramMax: z.number().int().min(2).max(8),
  /** Lower-cased catalogue terms used for the `hasProduct` flag when the caller gives no hints. */
  productTerms: z.array(z.string()),
});
export type FeaturiserConfig = z.infer<typeof FeaturiserConfig>;

/** Entity flags the graph's data-prep may already know; the featuriser computes them when absent. */
export const EntityHints = z
  .object({
    hasOrderId: z.boolean(),
    hasEmail: z.boolean(),
    hasProduct: z.boolean(),
    hasStore: z.boolean(),
    hasWarehouse: z.boolean(),
    hasZip: z.boolean(),
    hasItemId: z.boolean(),
    hasMoney: z.boolean(),
  })
  .partial();
export type EntityHints = z.infer<typeof EntityHints>;

const HINT_KEYS = ["hasOrderId", "hasEmail", "hasProduct", "hasStore", "hasWarehouse", "hasZip", "hasItemId", "hasMoney"] as const;
/** Dense features appended after the hashed block, in this order. */
export const ENTITY_FEATURES = [...HINT_KEYS, "isQuestion", "isShort", "isLong", "multiSentence"] as const;

export const featureDim = (cfg: FeaturiserConfig) => (1 << cfg.hashBits) + ENTITY_FEATURES.length;

export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

const ORDER_ID = /#?\bw\d{7}\b/gi;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/gi;
const WAREHOUSE = /\b(?:wh|dc)[- ]?\d{1,3}\b/gi;
const ITEM_ID = /\b\d{10}\b/g;
const MONEY = /\$\s?\d+(?:[.,]\d+)?|\b\d+(?:\.\d\d)?\s?(?:usd|dollars|bucks)\b/gi;
// A zip stands alone: "RMA-20931", "ORD-88213" or "#12345" are reference numbers, not places.
const ZIP = /(?<![-#\w])\d{5}(?:-\d{4})?\b/g;
// Tracking numbers and confirmation codes ("1Z999AA1012…", "A7F3K9"): letters and digits interleaved
// in one token. One switch only keeps its words: promo codes ("SAVE20"), units ("128gb", "4k").
const CODE = /\b(?=[a-z0-9]{5,}\b)[a-z0-9]*(?:\d[a-z]+\d|[a-z]\d+[a-z])[a-z0-9]*\b/gi;
// Phone numbers and dashed reference numbers ("555-010-1234", "112-3345-99881"): one number.
const DASHED_NUMBER = /\b\d+(?:[-.]\d+){2,}\b/g;

// One pass for every identifier class: order ids, emails, warehouses, money, item ids, zips, codes,
// numbers.
const IDENTIFIERS = new RegExp(
  [EMAIL, ORDER_ID, WAREHOUSE, MONEY, ITEM_ID, DASHED_NUMBER, ZIP, CODE, /\d+/].map((re) => `(${re.source})`).join("|"),
  "gi",
);
const CLASS_OF_GROUP = [" zemail ", " zorderid ", " zwarehouse ", " zmoney ", " zitemid ", " znum ", " zzip ", " zcode ", " znum "];

/** Lower-cases, strips accents and replaces identifiers by class tokens (ids never generalise). */
export function normalise(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(IDENTIFIERS, (...m: unknown[]) => {
      for (let g = 1; g <= CLASS_OF_GROUP.length; g++) if (m[g] !== undefined) return CLASS_OF_GROUP[g - 1];
      return " ";
    })
    .replace(/['’`]/g, "")
    .replace(/[^a-z0-9?]+/g, " ")
    .replace(/\?/g, " ? ")
    .replace(/ {2,}/g, " ")
    .trim();
}

const STORE_WORDS = new Set(["store", "stores", "branch", "location", "shop", "mall", "outlet"]);
const WAREHOUSE_WORDS = new Set(["warehouse", "wh", "dc"]);
const productPatterns = new WeakMap<readonly string[], RegExp>();

/** One alternation per catalogue, matched on normalised text ("T-Shirt" → "t shirt"). */
function productPattern(terms: readonly string[]): RegExp {
  let re = productPatterns.get(terms);
  if (!re) {
    const alts = [...new Set(terms.map((t) => normalise(t)).filter(Boolean))].sort((a, b) => b.length - a.length);
    re = new RegExp(`(?:^| )(?:${alts.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})s?(?: |$)`);
    productPatterns.set(terms, re);
  }
  return re;
}

/** Entity flags from normalised text: the class tokens normalise() left behind, plus keywords. */
function entitiesFromNormalised(norm: string, words: readonly string[], productTerms: readonly string[]): Required<EntityHints> {
  const flags = { hasOrderId: false, hasEmail: false, hasProduct: false, hasStore: false, hasWarehouse: false, hasZip: false, hasItemId: false, hasMoney: false };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    switch (w) {
      case "zorderid": flags.hasOrderId = true; break;
      case "zemail": flags.hasEmail = true; break;
      case "zwarehouse": flags.hasWarehouse = true; break;
      case "zzip": flags.hasZip = true; break;
      case "zitemid": flags.hasItemId = true; break;
      case "zmoney": flags.hasMoney = true; break;
      default:
        if (STORE_WORDS.has(w)) flags.hasStore = true;
        else if (WAREHOUSE_WORDS.has(w)) flags.hasWarehouse = true;
        // "store 412", "s 0412" (from S-0412) name a store.
        else if ((w === "st" || w === "s" || w === "str") && words[i + 1] === "znum") flags.hasStore = true;
    }
  }
  flags.hasProduct = productTerms.length > 0 && productPattern(productTerms).test(norm);
  return flags;
}

/** Entity flags computed from the raw text (the caller's hints, when given, take precedence). */
export function detectEntities(text: string, productTerms: readonly string[]): Required<EntityHints> {
  const norm = normalise(text);
  return entitiesFromNormalised(norm, norm ? norm.split(" ") : [], productTerms);
}

const CLASS_TOKENS = new Set(["zemail", "zorderid", "zwarehouse", "zmoney", "zitemid", "zzip", "zcode", "znum", "?"]);

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// FNV-1a step plus a murmur3 finaliser so the low bits used as the bucket are well mixed.
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function wordHash(w: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

// Reused scratch buffers: featurising allocates only the returned vector.
let scratch = new Float64Array(0);
let touched = new Int32Array(0);
let nTouched = 0;
let mask = 0;

function add(h: number): void {
  const j = h & mask;
  // One hash bit decides the sign, so collisions cancel out on average instead of piling up.
  const v = h & 0x80000000 ? -1 : 1;
  if (scratch[j] === 0) {
    if (nTouched === touched.length) {
      const t = new Int32Array(touched.length * 2);
      t.set(touched);
      touched = t;
    }
    touched[nTouched++] = j;
  }
  const next = scratch[j] + v;
  scratch[j] = next === 0 ? 1e-12 : next; // keep it marked as touched
}

export function featurise(text: string, cfg: FeaturiserConfig, hints: EntityHints = {}): SparseVector {
  const size = 1 << cfg.hashBits;
  if (scratch.length !== size) {
    scratch = new Float64Array(size);
    touched = new Int32Array(4096);
  }
  mask = size - 1;
  nTouched = 0;

  const norm = normalise(text);
  const words = norm.length ? norm.split(" ") : [];
  const hashes = words.map(wordHash);
  const minN = cfg.charNgramMin;
  const maxN = cfg.charNgramMax;
  for (let i = 0; i < words.length; i++) {
    // Feature families are kept apart by mixing a family constant into the final hash.
    add(fmix(hashes[i] ^ 0x1000193));
    if (cfg.wordNgrams >= 2 && i + 1 < words.length) add(fmix(Math.imul(hashes[i], 0x9e3779b1) ^ hashes[i + 1] ^ 0x2000000));
    if (cfg.wordNgrams >= 3 && i + 2 < words.length) add(fmix(Math.imul(Math.imul(hashes[i], 0x9e3779b1) ^ hashes[i + 1], 0x85ebca6b) ^ hashes[i + 2] ^ 0x3000000));
    const w = words[i];
    if (w.length > 1 && !CLASS_TOKENS.has(w)) {
      // Character n-grams of "<word>", all lengths minN..maxN from each start in one FNV pass.
      const len = w.length + 2;
      for (let s = 0; s + minN <= len; s++) {
        let h = FNV_OFFSET;
        const end = Math.min(len, s + maxN);
        for (let e = s; e < end; e++) {
          const c = e === 0 ? 60 /* < */ : e === len - 1 ? 62 /* > */ : w.charCodeAt(e - 1);
          h = Math.imul(h ^ c, FNV_PRIME);
          if (e - s + 1 >= minN) add(fmix(h ^ 0x4000000));
        }
      }
    }
  }

  let sq = 0;
  for (let t = 0; t < nTouched; t++) sq += scratch[touched[t]] * scratch[touched[t]];
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;

  const detected = entitiesFromNormalised(norm, words, cfg.productTerms);
  const dense: boolean[] = [];
  for (const k of HINT_KEYS) dense.push(hints[k] ?? detected[k]);
  dense.push(text.includes("?"), words.length <= 3, words.length > 30, text.split(/[.!?]+\s+\S/).length > 2);
  let nDense = 0;
  for (const d of dense) if (d) nDense++;

  const idx = new Int32Array(nTouched + nDense);
  const val = new Float32Array(nTouched + nDense);
  for (let t = 0; t < nTouched; t++) {
    const j = touched[t];
    idx[t] = j;
    val[t] = scratch[j] * inv;
    scratch[j] = 0;
  }
  let k = nTouched;
  for (let i = 0; i < dense.length; i++) {
    if (dense[i]) {
      idx[k] = size + i;
      val[k++] = 1;
    }
  }
  return { idx, val };
}

/** Dense form of a sparse vector (the ONNX graph's input). */
export function toDense(v: SparseVector, dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < v.idx.length; i++) out[v.idx[i]] += v.val[i];
  return out;
}
