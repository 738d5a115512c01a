import { createHmac, createPrivateKey, createPublicKey, sign as edSign, verify as edVerify, timingSafeEqual, createHash, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

/**
 * Bundle signatures. AISLE_BUNDLE_SIGNING_KEY holds either an Ed25519 private key (PEM, or a path
 * to a PEM file) — verified elsewhere with only the public key (AISLE_BUNDLE_VERIFY_KEY, PEM or
 * path) — or a shared secret of at least 32 characters for HMAC-SHA256 (both sides hold it).
 * The signature covers the exact manifest bytes, and the manifest lists every file's sha256.
 */
export interface BundleSignature {
  algorithm: "ed25519" | "hmac-sha256";
  /** sha256 of the public key (Ed25519) or of the secret (HMAC), first 16 hex digits: which key signed. */
  key_id: string;
  signature: string;
}

type SigningKey = { algorithm: "ed25519"; key: KeyObject; publicKey: KeyObject } | { algorithm: "hmac-sha256"; secret: Buffer };

const readPemOrPath = (value: string) => (!value.includes("-----BEGIN") && existsSync(value) ? readFileSync(value, "utf8") : value);

const keyId = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
const publicKeyId = (k: KeyObject) => keyId(k.export({ type: "spki", format: "der" }));

export function signingKeyFromEnv(env: NodeJS.ProcessEnv = process.env): SigningKey | undefined {
  const raw = env.AISLE_BUNDLE_SIGNING_KEY;
  if (!raw) return undefined;
  const value = readPemOrPath(raw);
  if (value.includes("-----BEGIN")) {
    let key: KeyObject;
    try {
      key = createPrivateKey(value);
    } catch (err) {
      throw new Error(`AISLE_BUNDLE_SIGNING_KEY is not a readable private key: ${(err as Error).message}`);
    }
    if (key.asymmetricKeyType !== "ed25519") throw new Error(`AISLE_BUNDLE_SIGNING_KEY must be an Ed25519 key, got ${key.asymmetricKeyType}`);
    return { algorithm: "ed25519", key, publicKey: createPublicKey(key) };
  }
  if (value.length < 32) throw new Error("AISLE_BUNDLE_SIGNING_KEY as an HMAC secret must be at least 32 characters");
  return { algorithm: "hmac-sha256", secret: Buffer.from(value, "utf8") };
}

export function signManifest(manifest: Buffer, key: SigningKey): BundleSignature {
  if (key.algorithm === "ed25519") {
    return { algorithm: "ed25519", key_id: publicKeyId(key.publicKey), signature: edSign(null, manifest, key.key).toString("base64") };
  }
  return { algorithm: "hmac-sha256", key_id: keyId(key.secret), signature: createHmac("sha256", key.secret).update(manifest).digest("base64") };
}

/** Checks a signature with the keys configured here; throws naming what is wrong. */
export function verifyManifest(manifest: Buffer, sig: BundleSignature, env: NodeJS.ProcessEnv = process.env): void {
  if (sig.algorithm === "ed25519") {
    let publicKey: KeyObject | undefined;
    if (env.AISLE_BUNDLE_VERIFY_KEY) publicKey = createPublicKey(readPemOrPath(env.AISLE_BUNDLE_VERIFY_KEY));
    else {
      const own = signingKeyFromEnv(env);
      if (own?.algorithm === "ed25519") publicKey = own.publicKey;
    }
    if (!publicKey) throw new Error("the bundle is signed with Ed25519: set AISLE_BUNDLE_VERIFY_KEY to the signer's public key (PEM or path)");
    if (publicKeyId(publicKey) !== sig.key_id) throw new Error(`the bundle was signed by key ${sig.key_id}, not by the configured key ${publicKeyId(publicKey)}`);
    if (!edVerify(null, manifest, publicKey, Buffer.from(sig.signature, "base64"))) throw new Error("bad signature: the manifest was changed after signing");
    return;
  }
  const own = signingKeyFromEnv(env);
  if (!own || own.algorithm !== "hmac-sha256") throw new Error("the bundle is signed with HMAC-SHA256: set AISLE_BUNDLE_SIGNING_KEY to the shared secret");
  if (keyId(own.secret) !== sig.key_id) throw new Error(`the bundle was signed with another secret (key id ${sig.key_id}, configured ${keyId(own.secret)})`);
  const expected = createHmac("sha256", own.secret).update(manifest).digest();
  const given = Buffer.from(sig.signature, "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("bad signature: the manifest was changed after signing");
}
