import { createHash } from "node:crypto";

export type Split = "train" | "validation";

/**
 * Deterministic train/validation assignment by thread: every turn of a conversation lands in the
 * same split (no near-duplicate context leaking across), and the same thread always lands in the
 * same split on every export with the same seed, however the selection or order changes.
 */
export function splitOf(threadId: string, trainRatio: number, seed = "aisle"): Split {
  const h = createHash("sha256").update(`${seed}\u0000${threadId}`).digest();
  // 48 bits of the hash as a uniform number in [0, 1).
  const u = h.readUIntBE(0, 6) / 2 ** 48;
  return u < trainRatio ? "train" : "validation";
}
