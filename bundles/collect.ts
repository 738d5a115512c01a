import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type pg from "pg";
import { ensureConfiguration } from "../graphs/configuration.ts";
import { DURABILITY } from "../graphs/runtime.ts";
import { TOOL_GROUPS } from "../tools/index.ts";
import { llmSettingsFromEnv } from "../models/llm/index.ts";
import { activeRouterVersion, SHIPPED_MODEL_PATH } from "../models/router/index.ts";
import { loadRouterModel } from "../models/router/store.ts";
import { exportRouterModel } from "../models/router/exporter.ts";
import { RouterModelFile } from "../models/router/model.ts";
import { DEFAULT_POLICY_DIR, PolicyEngine, packFiles } from "../policies/index.ts";
import { AGENT_FOCUS, BASE_INSTRUCTIONS } from "../nodes/agents/prompts.ts";
import { jsonFile, type BundleContent, type Manifest } from "./bundle.ts";

/** The compiled turn graph, or anything that can draw its topology. */
export interface GraphLike {
  getGraphAsync(config?: object): Promise<{ toJSON(): Record<string, any>; drawMermaid(params?: object): string }>;
}

export interface CollectOptions {
  pool: pg.Pool;
  graph: GraphLike;
  /** Rule packs to bundle (default: AISLE_POLICY_DIR or the repo's packs). */
  policyDir?: string;
  env?: NodeJS.ProcessEnv;
  name?: string;
}

const SECRET_KEY = /key|secret|token|password|authorization/i;

/** Drops anything that looks like a credential; strips user:password from URLs. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_KEY.test(k)).map(([k, v]) => [k, withoutSecrets(v)]));
  }
  if (typeof value === "string" && /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) {
    const u = new URL(value);
    u.username = "";
    u.password = "";
    return u.toString();
  }
  return value;
}

/** Node topology from the compiled graph: names and edges only (stable across processes). */
export async function graphTopology(graph: GraphLike) {
  const g = await graph.getGraphAsync({});
  const json = g.toJSON() as { nodes: { id: string | number; data?: { name?: string } }[]; edges: { source: string | number; target: string | number; conditional?: boolean }[] };
  const nodes = json.nodes.map((n) => String(n.id)).sort();
  const edges = json.edges
    .map((e) => ({ source: String(e.source), target: String(e.target), conditional: !!e.conditional }))
    .sort((a, b) => `${a.source}>${a.target}`.localeCompare(`${b.source}>${b.target}`));
  return { topology: { nodes, edges }, mermaid: g.drawMermaid({ withStyles: false }) };
}

/** Node and model-tier configuration as this process runs it (never secrets). */
export function runtimeConfiguration(env: NodeJS.ProcessEnv = process.env) {
  const { thread_id: _t, caller: _c, onNodeEnd: _o, force_tier: _f, ...turn } = ensureConfiguration({});
  const llm = llmSettingsFromEnv(env);
  return withoutSecrets({
    turn,
    durability: DURABILITY,
    tool_groups: TOOL_GROUPS,
    tiers: {
      local: { model: "aisle-local" },
      llm: llm ? { model: llm.model, base_url: llm.baseURL ?? null, temperature: llm.temperature, timeout_ms: llm.timeoutMs, price_per_1k: llm.price } : null,
    },
  }) as Record<string, unknown>;
}

async function activeRouterModel(pool: pg.Pool): Promise<RouterModelFile> {
  const version = await activeRouterVersion(pool);
  if (version) return loadRouterModel(pool, version);
  return RouterModelFile.parse(JSON.parse(readFileSync(SHIPPED_MODEL_PATH, "utf8")));
}

/** The reply templates of the embedded model (code, bundled so a diff shows what changed). */
const REPLY_TEMPLATES = new URL("../models/local/replies.ts", import.meta.url);

/** Gathers every file of a bundle from a running deployment: its database, graph and packs. */
export async function collectDeployment(opts: CollectOptions): Promise<{ meta: Omit<Manifest, "bundle_format" | "files">; contents: BundleContent[] }> {
  const contents: BundleContent[] = [];
  const { topology, mermaid } = await graphTopology(opts.graph);
  contents.push(jsonFile("graph/topology.json", "graph", topology));
  contents.push({ path: "graph/topology.mmd", kind: "graph", data: Buffer.from(`${mermaid.trim()}\n`) });
  contents.push(jsonFile("config/runtime.json", "config", runtimeConfiguration(opts.env)));

  const policyDir = opts.policyDir ?? DEFAULT_POLICY_DIR;
  const policyVersion = PolicyEngine.load(policyDir).version;
  for (const file of packFiles(policyDir)) contents.push({ path: `policy/${basename(file)}`, kind: "policy", data: readFileSync(file) });

  const router = await activeRouterModel(opts.pool);
  const dir = mkdtempSync(join(tmpdir(), "aisle-bundle-router-"));
  try {
    for (const file of exportRouterModel(router, dir)) contents.push({ path: `router/${basename(file)}`, kind: "router", data: readFileSync(file) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  contents.push(jsonFile("prompts/agents.json", "prompts", { base_instructions: BASE_INSTRUCTIONS, agent_focus: AGENT_FOCUS }));
  contents.push({ path: "prompts/reply_templates.ts", kind: "prompts", data: readFileSync(REPLY_TEMPLATES) });

  const { rows } = await opts.pool.query<{ name: string }>("SELECT name FROM aisle_migrations ORDER BY run_on, id");
  const migrations = rows.map((r) => r.name);
  contents.push(jsonFile("schema/migrations.json", "schema", { migrations }));

  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return {
    meta: {
      name: opts.name ?? `aisle-${new Date().toISOString().slice(0, 10)}`,
      created_at: new Date().toISOString(),
      aisle_version: pkg.version,
      schema_migrations: migrations,
      router_version: router.version,
      policy_version: policyVersion,
    },
    contents,
  };
}
