import type pg from "pg";
import { RouterModelFile } from "./model.ts";
import { INTENTS, type LabelledUtterance } from "./intents.ts";

/** Channel notified when the active router version changes (registries also poll as a fallback). */
export const ROUTER_CHANNEL = "aisle_router_model";

/** Stores a model version and (by default) makes it the active one, atomically. */
export async function registerRouterModel(pool: pg.Pool, model: RouterModelFile, opts: { activate?: boolean } = {}): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO router_models (version, model, metrics, data_hash, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (version) DO UPDATE SET model = EXCLUDED.model, metrics = EXCLUDED.metrics`,
      [model.version, JSON.stringify(model), JSON.stringify(model.metrics), model.dataHash, model.createdAt],
    );
    if (opts.activate !== false) {
      await client.query("UPDATE router_models SET active = false WHERE active AND version <> $1", [model.version]);
      await client.query("UPDATE router_models SET active = true WHERE version = $1", [model.version]);
      await client.query("SELECT pg_notify($1, $2)", [ROUTER_CHANNEL, model.version]);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export async function activeRouterVersion(pool: pg.Pool): Promise<string | undefined> {
  const { rows } = await pool.query<{ version: string }>("SELECT version FROM router_models WHERE active");
  return rows[0]?.version;
}

export async function loadRouterModel(pool: pg.Pool, version: string): Promise<RouterModelFile> {
  const { rows } = await pool.query<{ model: unknown }>("SELECT model FROM router_models WHERE version = $1", [version]);
  if (!rows[0]) throw new Error(`router model ${version} is not registered`);
  return RouterModelFile.parse(rows[0].model);
}

export async function listRouterModels(pool: pg.Pool) {
  const { rows } = await pool.query<{ version: string; created_at: Date; active: boolean; data_hash: string; accuracy: number | null }>(
    `SELECT version, created_at, active, data_hash, (metrics->'test'->>'accuracy')::float AS accuracy
       FROM router_models ORDER BY created_at DESC`,
  );
  return rows;
}

/** Confirmed route labels from Aisle's own traffic (feedback, completed turns, studio). */
export async function readRouteLabels(pool: pg.Pool, opts: { since?: Date } = {}): Promise<(LabelledUtterance & { source: string })[]> {
  const { rows } = await pool.query<{ text: string; intent: string; source: string }>(
    `SELECT text, intent, source FROM route_labels WHERE ($1::timestamptz IS NULL OR created_at >= $1) ORDER BY id`,
    [opts.since ?? null],
  );
  return rows.map((r) => ({ text: r.text, intent: INTENTS.parse(r.intent), source: r.source }));
}
