import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../traces/store.ts";
import { packTarGz, unpackTarGz, type TarEntry } from "./tar.ts";
import { signManifest, verifyManifest, type BundleSignature, signingKeyFromEnv } from "./sign.ts";

/**
 * An orchestration bundle: everything that makes one Aisle deployment behave the way it does —
 * graph topology, node and model-tier configuration (never secrets), rule packs, the router model
 * (JSON + ONNX), prompts and reply templates, the database schema version — as files listed with
 * their sha256 in `manifest.json`, whose exact bytes are signed in `signature.json`.
 */
export const BUNDLE_FORMAT = 1;

export const FileKind = z.enum(["graph", "config", "policy", "router", "prompts", "schema"]);
export type FileKind = z.infer<typeof FileKind>;

export const BundleFile = z.object({
  path: z.string().regex(/^[a-z]+\/[A-Za-z0-9._/-]+$/, "bundle paths are <kind>/<name>"),
  kind: FileKind,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});
export type BundleFile = z.infer<typeof BundleFile>;

export const Manifest = z.object({
  bundle_format: z.literal(BUNDLE_FORMAT),
  name: z.string(),
  created_at: z.string(),
  aisle_version: z.string(),
  /** Migrations applied to the source database: the target must have all of them. */
  schema_migrations: z.array(z.string()),
  router_version: z.string().nullable(),
  policy_version: z.string().nullable(),
  files: z.array(BundleFile),
});
export type Manifest = z.infer<typeof Manifest>;

export interface BundleContent {
  path: string;
  kind: FileKind;
  data: Buffer;
}

export const sha256Hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

export interface BuiltBundle {
  tgz: Buffer;
  manifest: Manifest;
  signature: BundleSignature | null;
  /** sha256 of the .tgz bytes. */
  sha256: string;
}

/** Packs files into a signed bundle (signed when AISLE_BUNDLE_SIGNING_KEY is set in `env`). */
export function buildBundle(
  meta: Omit<Manifest, "bundle_format" | "files">,
  contents: BundleContent[],
  env: NodeJS.ProcessEnv = process.env,
): BuiltBundle {
  const sorted = [...contents].sort((a, b) => a.path.localeCompare(b.path));
  const seen = new Set<string>();
  for (const c of sorted) {
    if (seen.has(c.path)) throw new Error(`two bundle files share the path ${c.path}`);
    seen.add(c.path);
  }
  const manifest = Manifest.parse({
    bundle_format: BUNDLE_FORMAT,
    ...meta,
    files: sorted.map((c) => ({ path: c.path, kind: c.kind, sha256: sha256Hex(c.data), bytes: c.data.length })),
  });
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const key = signingKeyFromEnv(env);
  const signature = key ? signManifest(manifestBytes, key) : null;
  const entries: TarEntry[] = [{ path: "manifest.json", data: manifestBytes }];
  if (signature) entries.push({ path: "signature.json", data: Buffer.from(`${JSON.stringify(signature, null, 2)}\n`) });
  for (const c of sorted) entries.push({ path: c.path, data: c.data });
  const tgz = packTarGz(entries);
  return { tgz, manifest, signature, sha256: sha256Hex(tgz) };
}

export interface OpenedBundle {
  manifest: Manifest;
  signature: BundleSignature | null;
  /** Whether the signature was checked against a configured key (false for an unsigned bundle or `verify: false`). */
  verified: boolean;
  files: Map<string, Buffer>;
  sha256: string;
}

/**
 * Reads a bundle and checks it: manifest schema, every listed file present with its sha256, no
 * file that is not listed, and (unless `verify` is false, as for `bundle diff`) the signature
 * against the configured key. An unsigned bundle is refused unless `allowUnsigned`.
 */
export function openBundle(
  tgz: Buffer,
  opts: { verify?: boolean; allowUnsigned?: boolean; env?: NodeJS.ProcessEnv } = {},
): OpenedBundle {
  const entries = new Map(unpackTarGz(tgz).map((e) => [e.path, e.data]));
  const manifestBytes = entries.get("manifest.json");
  if (!manifestBytes) throw new Error("not an Aisle bundle: manifest.json is missing");
  let manifest: Manifest;
  try {
    manifest = Manifest.parse(JSON.parse(manifestBytes.toString("utf8")));
  } catch (err) {
    throw new Error(`manifest.json is invalid: ${(err as Error).message}`);
  }
  const sigBytes = entries.get("signature.json");
  const signature = sigBytes ? (JSON.parse(sigBytes.toString("utf8")) as BundleSignature) : null;
  let verified = false;
  if (opts.verify !== false) {
    if (signature) {
      verifyManifest(manifestBytes, signature, opts.env ?? process.env);
      verified = true;
    } else if (!opts.allowUnsigned) {
      throw new Error("the bundle is not signed; pass --allow-unsigned to install it anyway");
    }
  }
  const files = new Map<string, Buffer>();
  for (const f of manifest.files) {
    const data = entries.get(f.path);
    if (!data) throw new Error(`the bundle is incomplete: ${f.path} is listed but missing`);
    if (sha256Hex(data) !== f.sha256) throw new Error(`${f.path} does not match its sha256 in the manifest (changed after export)`);
    files.set(f.path, data);
  }
  for (const path of entries.keys()) {
    if (path !== "manifest.json" && path !== "signature.json" && !files.has(path)) throw new Error(`${path} is in the bundle but not in its manifest`);
  }
  return { manifest, signature, verified, files, sha256: sha256Hex(tgz) };
}

export const jsonFile = (path: string, kind: FileKind, value: unknown): BundleContent => ({
  path,
  kind,
  data: Buffer.from(`${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`),
});
