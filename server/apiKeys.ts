import type pg from "pg";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export const Role = z.enum(["customer", "associate", "manager", "admin", "ml"]);
export type Role = z.infer<typeof Role>;

/** Who is calling, as established from an API key or JWT — never from the request body. */
export interface Caller {
  role: Role;
  customer_id?: string;
  store_id?: string;
  /** Stable owner identity for threads: customer:<id>, store:<id>, or key:<id>/jwt:<sub>. */
  principal: string;
  /** The credential used (key id or `jwt:<sub>`), for logs and rate limits. */
  credential: string;
}

export function principalFor(c: { role: Role; customer_id?: string | null; store_id?: string | null }, credential: string): string {
  if (c.role === "customer") return `customer:${c.customer_id}`;
  if (c.role === "associate") return `store:${c.store_id}`;
  return credential;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Key format `aisle_<key_id>_<secret>`: the id lets logs name a key without revealing it. */
export function generateApiKey(): { keyId: string; key: string } {
  const keyId = randomBytes(6).toString("hex");
  return { keyId, key: `aisle_${keyId}_${randomBytes(24).toString("base64url")}` };
}

export interface NewKey {
  role: Role;
  customerId?: string;
  storeId?: string;
  label?: string;
}

/** Creates a key, stores only its digest and returns the secret (shown once). */
export async function createApiKey(pool: pg.Pool, spec: NewKey): Promise<{ keyId: string; key: string }> {
  if (spec.role === "customer" && !spec.customerId) throw new Error("a customer key needs --customer <user_id>");
  if (spec.role !== "customer" && spec.customerId) throw new Error("--customer only applies to --role customer");
  if (spec.role === "associate" && !spec.storeId) throw new Error("an associate key needs --store <id>");
  if (spec.customerId) {
    const { rowCount } = await pool.query("SELECT 1 FROM users WHERE user_id = $1", [spec.customerId]);
    if (!rowCount) throw new Error(`no customer with user_id "${spec.customerId}"`);
  }
  const { keyId, key } = generateApiKey();
  await pool.query(
    `INSERT INTO api_keys (key_id, key_hash, role, customer_id, store_id, label) VALUES ($1, $2, $3, $4, $5, $6)`,
    [keyId, sha256(key), spec.role, spec.customerId ?? null, spec.storeId ?? null, spec.label ?? null],
  );
  return { keyId, key };
}

export async function revokeApiKey(pool: pg.Pool, keyId: string): Promise<boolean> {
  const { rowCount } = await pool.query("UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL", [keyId]);
  return (rowCount ?? 0) > 0;
}

export async function listApiKeys(pool: pg.Pool) {
  const { rows } = await pool.query(
    `SELECT key_id, role, customer_id, store_id, label, created_at, revoked_at FROM api_keys ORDER BY created_at`,
  );
  return rows;
}

/**
 * Resolves API keys to callers with a short cache, so authentication costs no query on the hot
 * path; a revoked key stops working within `cacheMs`.
 */
export class ApiKeyResolver {
  private cache = new Map<string, { caller: Caller | null; expires: number }>();
  constructor(
    private pool: pg.Pool,
    private cacheMs: number,
  ) {}

  async resolve(key: string): Promise<Caller | null> {
    const m = /^aisle_([0-9a-f]{12})_[A-Za-z0-9_-]{20,64}$/.exec(key);
    if (!m) return null;
    const digest = sha256(key);
    const hit = this.cache.get(digest);
    if (hit && hit.expires > Date.now()) return hit.caller;
    const { rows } = await this.pool.query(
      `SELECT key_id, key_hash, role, customer_id, store_id FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL`,
      [m[1]],
    );
    const row = rows[0];
    let caller: Caller | null = null;
    if (row && timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(digest))) {
      const credential = `key:${row.key_id}`;
      caller = {
        role: row.role,
        ...(row.customer_id ? { customer_id: row.customer_id } : {}),
        ...(row.store_id ? { store_id: row.store_id } : {}),
        principal: principalFor(row, credential),
        credential,
      };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(digest, { caller, expires: Date.now() + this.cacheMs });
    return caller;
  }
}
