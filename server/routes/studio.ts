import express, { Router, type Request } from "express";
import { stat, readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { z } from "zod";
import type pg from "pg";
import { requireCaller } from "../auth.ts";
import { forbidden, parse } from "../errors.ts";
import { loadThread, type ServerContext } from "../context.ts";
import { Intent } from "../../graphs/state.ts";
import { verifyAudit } from "../../nodes/audit.ts";
import { poolDb } from "../../db/executor.ts";
import { GRAPH_ID } from "../runtime.ts";
import { resolveAssistantId } from "./assistants.ts";
import { Role } from "../apiKeys.ts";

/**
 * Aisle Studio: the offline page at `/studio` (web/) and the few read-outs it needs that the
 * Agent Server API has no place for — who the key is, node configuration and live latency,
 * a monitoring summary as JSON, and per-thread audit-chain verification. Everything else the
 * studio does goes through the same API and roles as any client.
 */

const WEB_DIR = fileURLToPath(new URL("../../web/", import.meta.url));
const ENTRY = path.join(WEB_DIR, "src", "main.ts");

/**
 * The studio's only rule for the browser: nothing but this server. The page ships no CDN
 * assets, and this header makes sure it cannot quietly start to.
 */
const STUDIO_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The studio is TypeScript modules under web/src, bundled in memory by esbuild on request. */
class StudioBundle {
  private cached: { key: string; code: string } | null = null;
  private building: Promise<string> | null = null;

  async get(): Promise<string> {
    const key = await sourceStamp(path.join(WEB_DIR, "src"));
    if (this.cached?.key === key) return this.cached.code;
    this.building ??= this.build(key).finally(() => (this.building = null));
    return this.building;
  }

  private async build(key: string): Promise<string> {
    const { build } = await import("esbuild");
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      format: "esm",
      target: "es2022",
      platform: "browser",
      write: false,
      sourcemap: "inline",
      legalComments: "none",
      logLevel: "silent",
    });
    const code = result.outputFiles[0]!.text;
    this.cached = { key, code };
    return code;
  }
}

/** Newest modification time and file count under a folder: rebuild when a source changes. */
async function sourceStamp(dir: string): Promise<string> {
  let newest = 0;
  let count = 0;
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        count++;
        newest = Math.max(newest, (await stat(p)).mtimeMs);
      }
    }
  };
  await walk(dir);
  return `${count}:${newest}`;
}

/** `/studio`: the page and its assets. Mounted before authentication: the page asks for a key. */
export function studioStaticRoutes(): Router {
  const r = Router();
  const bundle = new StudioBundle();
  r.use("/studio", (_req, res, next) => {
    res.setHeader("Content-Security-Policy", STUDIO_CSP);
    next();
  });
  r.get("/studio", (req, res, next) => {
    // Relative asset URLs need the trailing slash.
    if (req.originalUrl === "/studio") return res.redirect(301, "/studio/");
    next();
  });
  r.get("/studio/app.js", async (_req, res, next) => {
    try {
      const code = await bundle.get();
      res.type("text/javascript").setHeader("Cache-Control", "no-cache").send(code);
    } catch (err) {
      next(err);
    }
  });
  // Only the page's own files: sources are bundled, not served one by one.
  r.use("/studio", (req, _res, next) => (req.path.startsWith("/src/") ? next("router") : next()));
  r.use("/studio", express.static(WEB_DIR, { index: "index.html", dotfiles: "ignore", fallthrough: true, setHeaders: (res) => res.setHeader("Cache-Control", "no-cache") }));
  return r;
}

/** The retail reference case's split of orchestration time across the seven layers. */
export const REFERENCE_LAYERS = {
  routing: 0.29,
  governance: 0.22,
  context: 0.19,
  monitoring: 0.14,
  policy: 0.08,
  "data-prep": 0.05,
  audit: 0.03,
} as const;
type LayerKey = keyof typeof REFERENCE_LAYERS;

/** Which layer a graph node's time counts toward; agents and tools are model/tool time, not orchestration. */
export function layerOfNode(node: string): LayerKey | null {
  const n = node.toLowerCase();
  if (n === "dataprep") return "data-prep";
  if (n === "router") return "routing";
  if (n === "contextstitch") return "context";
  if (n === "policy") return "policy";
  if (n === "governance") return "governance";
  if (n === "audit") return "audit";
  if (n === "monitoring") return "monitoring";
  return null;
}

const NODE_DESCRIPTIONS: Record<string, string> = {
  dataPrep: "Normalises the user's message (NFKC, invisible characters, length cap) and extracts entities: order ids, emails, name + zip, stores, products and options, quantities, payment mentions.",
  router: "Classifies intent, picks the agent and the model tier (local for simple asks, LLM for complex ones).",
  contextStitch: "Fetches in parallel only what the route needs (customer, loyalty, orders, stock, promotions) and compacts it into typed context.",
  policy: "Applies business rules written as data (CEL rule packs): loyalty perks, promo eligibility, regional discount caps, sales tax.",
  governance: "Vets every proposed tool call before it runs and the reply before it leaves: allow, fix, block, or escalate to a manager (interrupt).",
  tools: "Runs tool calls governance allowed, against the retail systems (orders, payments, catalogue, inventory, loyalty).",
  audit: "Appends every step of the turn to the hash-chained, append-only audit log.",
  orders_agent: "Orders/CRM agent: authentication, order status, cancel, modify, account and loyalty questions.",
  payments_agent: "Payments/returns agent: returns, exchanges and refunds.",
  inventory_agent: "Inventory agent: stock at stores and warehouses, nearest stores with stock.",
  info_agent: "Info agent: store info, shipping options, policy and product questions.",
  handoff_agent: "Hand-off agent: transfers to a human with a summary.",
};

interface RuntimeDeps {
  router?: { version?: string };
  policies?: { version?: string | { id?: string; packs?: Array<{ pack: string; version: string; hash: string }> } };
  models?: { local?: { _llmType?: () => string; model?: string }; llm?: { model?: string; modelName?: string } };
  toolGroups?: Record<string, readonly string[]>;
  tools?: Record<string, unknown>;
}

/** Node configuration the studio shows, from the runtime the server was given (when it is Aisle's). */
function nodeConfiguration(node: string, deps: RuntimeDeps | undefined): { config: Record<string, unknown>; versions: Record<string, string> } {
  const env = (name: string, fallback: number) => {
    const n = Number(process.env[name]);
    return Number.isFinite(n) && process.env[name] !== "" && process.env[name] !== undefined ? n : fallback;
  };
  const versions: Record<string, string> = {};
  const config: Record<string, unknown> = {};
  const policyVersion = deps?.policies?.version;
  const llm = deps?.models?.llm;
  const localName = deps?.models?.local?._llmType?.() ?? (deps?.models?.local ? "aisle-local" : undefined);
  switch (node) {
    case "router":
      if (deps?.router?.version) versions.router_model = deps.router.version;
      config.llm_tier_available = Boolean(llm);
      break;
    case "policy":
      if (typeof policyVersion === "string") versions.rule_pack = policyVersion;
      else if (policyVersion?.id) versions.rule_pack = policyVersion.id;
      if (typeof policyVersion === "object" && policyVersion?.packs) config.packs = policyVersion.packs;
      config.policy_path = process.env.AISLE_POLICY_PATH ?? "policies/packs";
      config.fails_closed = true;
      break;
    case "governance":
      config.refund_approval_above = env("AISLE_REFUND_APPROVAL_ABOVE", 500);
      config.max_blocked = env("AISLE_MAX_BLOCKED", 2);
      config.actions_override = process.env.AISLE_GOVERNANCE_ACTIONS ? safeJson(process.env.AISLE_GOVERNANCE_ACTIONS) : {};
      config.escalation_resumed_by = "manager";
      if (typeof policyVersion === "string") versions.rule_pack = policyVersion;
      else if (policyVersion?.id) versions.rule_pack = policyVersion.id;
      break;
    case "tools":
      if (deps?.tools) config.tools = Object.keys(deps.tools).sort();
      break;
    case "audit":
      config.table = "audit_log";
      config.chain = "sha256, per thread, each row carries the previous row's hash";
      break;
    default:
      if (node.endsWith("_agent")) {
        const agent = node.replace(/_agent$/, "");
        if (deps?.toolGroups?.[agent]) config.tools = [...deps.toolGroups[agent]!];
        config.max_agent_steps = env("AISLE_MAX_AGENT_STEPS", 8);
        if (localName) versions.local_model = localName;
        const llmName = llm?.model ?? llm?.modelName;
        if (llmName) versions.llm_model = llmName;
      }
  }
  return { config, versions };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** Aggregates (traffic across every customer) are for people who run Aisle, not for customers. */
function requireOperator(req: Request) {
  const caller = requireCaller(req);
  if (!["manager", "admin", "ml"].includes(caller.role)) throw forbidden("Monitoring and node details need a manager, admin or ml key.");
  return caller;
}

/** A missing table (a part whose migration is not applied) reads as "no data", not a 500. */
async function rowsOrEmpty<T>(p: Promise<{ rows: T[] }>): Promise<T[]> {
  try {
    return (await p).rows;
  } catch (err) {
    if ((err as { code?: string }).code === "42P01") return [];
    throw err;
  }
}

const WindowQuery = z.object({ window_minutes: z.coerce.number().int().min(1).max(60 * 24 * 30).default(60) }).strict();
const ThreadParams = z.object({ thread_id: z.uuid() });
const AssistantParams = z.object({ assistant_id: z.string().min(1).max(200) });

interface NodeLatency {
  node: string;
  p50_ms: number | null;
  p95_ms: number | null;
  count: number;
}

/*
 * Where monitoring numbers come from: the audit log. Every turn appends a `turn` row (intent,
 * agent, tier) and one `node` row per node with its measured duration, tokens and cost, plus a
 * row per governance verdict — in one table, across every server process, with timestamps. The
 * audit node cannot log its own duration (it is still running), so its timings are read from the
 * latest-turn state snapshot the server keeps per thread (`threads.values.timings`): a sample of
 * one turn per active thread.
 */
const WINDOW = `at > now() - make_interval(mins => $1)`;

async function nodeLatencies(ctx: ServerContext, windowMinutes: number): Promise<NodeLatency[]> {
  const rows = await rowsOrEmpty<{ node: string; p50: number | null; p95: number | null; n: string }>(
    ctx.store.pool.query(
      `WITH d AS (
         SELECT node, duration_ms AS ms FROM audit_log WHERE kind = 'node' AND duration_ms IS NOT NULL AND ${WINDOW}
         UNION ALL
         SELECT t->>'node', (t->>'ms')::float8 FROM threads, jsonb_array_elements(COALESCE("values"->'timings', '[]'::jsonb)) AS t
          WHERE t->>'node' = 'audit' AND updated_at > now() - make_interval(mins => $1)
       )
       SELECT node, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95, count(*) AS n
         FROM d GROUP BY node ORDER BY node`,
      [windowMinutes],
    ),
  );
  return rows.map((r) => ({ node: r.node, p50_ms: r.p50, p95_ms: r.p95, count: Number(r.n) }));
}

/** `/studio/api/*`: mounted after authentication, so every read-out honours keys and roles. */
export function studioApiRoutes(ctx: ServerContext): Router {
  const r = Router();

  r.get("/studio/api/whoami", (req, res) => {
    const c = requireCaller(req);
    res.json({ role: c.role, customer_id: c.customer_id ?? null, store_id: c.store_id ?? null, principal: c.principal });
  });

  r.get("/studio/api/meta", (req, res) => {
    requireCaller(req);
    res.json({ graph_id: GRAPH_ID, intents: Intent.options, roles: Role.options, reference_layers: REFERENCE_LAYERS });
  });

  r.get("/studio/api/assistants/:assistant_id/nodes", async (req, res) => {
    requireOperator(req);
    const { assistant_id } = parse(AssistantParams, req.params, "path");
    resolveAssistantId(assistant_id);
    const { window_minutes } = parse(WindowQuery, req.query, "query");
    const graph = (await ctx.runtime.graph.getGraphAsync()).toJSON() as { nodes: Array<{ id: string | number }> };
    const latency = new Map((await nodeLatencies(ctx, window_minutes)).map((l) => [l.node, l]));
    const deps = (ctx.runtime as unknown as { deps?: RuntimeDeps }).deps;
    const nodes = graph.nodes
      .map((n) => String(n.id))
      .filter((id) => !id.startsWith("__"))
      .map((id) => {
        const l = latency.get(id);
        return {
          id,
          layer: layerOfNode(id) ?? (id.endsWith("_agent") || id === "tools" ? "agent" : null),
          description: NODE_DESCRIPTIONS[id] ?? "",
          ...nodeConfiguration(id, deps),
          p50_ms: l?.p50_ms ?? null,
          p95_ms: l?.p95_ms ?? null,
          count: l?.count ?? 0,
        };
      });
    res.json({ nodes, window_minutes });
  });

  r.get("/studio/api/monitoring", async (req, res) => {
    requireOperator(req);
    const { window_minutes } = parse(WindowQuery, req.query, "query");
    const pool = ctx.store.pool;
    const bucketSeconds = Math.max(60, Math.round((window_minutes * 60) / 30));
    const q = <T extends pg.QueryResultRow>(sql: string, params: unknown[] = [window_minutes]) => rowsOrEmpty<T>(pool.query<T>(sql, params));
    const [totals, intents, routes, tiers, verdicts, series, perNode, layerTotals] = await Promise.all([
      q<{ turns: string; tokens: string | null; cost: number | null }>(
        `SELECT (SELECT count(*) FROM audit_log WHERE kind = 'turn' AND ${WINDOW}) AS turns,
                sum(COALESCE((decision->>'tokens_in')::int, 0) + COALESCE((decision->>'tokens_out')::int, 0)) AS tokens,
                sum(COALESCE((decision->>'cost_usd')::float8, 0)) AS cost
           FROM audit_log WHERE kind = 'node' AND ${WINDOW}`,
      ),
      q<{ k: string; n: string }>(`SELECT COALESCE(decision->>'intent', 'unrouted') AS k, count(*) AS n FROM audit_log WHERE kind = 'turn' AND ${WINDOW} GROUP BY 1`),
      q<{ k: string; n: string }>(`SELECT COALESCE(decision->>'agent', 'none') AS k, count(*) AS n FROM audit_log WHERE kind = 'turn' AND ${WINDOW} GROUP BY 1`),
      q<{ k: string; n: string }>(`SELECT COALESCE(decision->>'tier', 'none') AS k, count(*) AS n FROM audit_log WHERE kind = 'turn' AND ${WINDOW} GROUP BY 1`),
      q<{ k: string; n: string }>(`SELECT verdict AS k, count(*) AS n FROM audit_log WHERE kind = 'verdict' AND ${WINDOW} GROUP BY 1`),
      q<{ t: Date; turns: string; tokens: string | null; cost: number | null }>(
        `SELECT to_timestamp(floor(extract(epoch FROM at) / $2) * $2) AS t,
                count(*) FILTER (WHERE kind = 'turn') AS turns,
                sum(COALESCE((decision->>'tokens_in')::int, 0) + COALESCE((decision->>'tokens_out')::int, 0)) FILTER (WHERE kind = 'node') AS tokens,
                sum(COALESCE((decision->>'cost_usd')::float8, 0)) FILTER (WHERE kind = 'node') AS cost
           FROM audit_log WHERE kind IN ('turn', 'node') AND ${WINDOW} GROUP BY 1 ORDER BY 1`,
        [window_minutes, bucketSeconds],
      ),
      nodeLatencies(ctx, window_minutes),
      q<{ node: string; ms: number }>(`SELECT node, sum(duration_ms) AS ms FROM audit_log WHERE kind = 'node' AND ${WINDOW} GROUP BY 1`),
    ]);
    const count = (rows: Array<{ k: string; n: string }>) => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
    const turns = Number(totals[0]?.turns ?? 0);
    const layerMs: Record<string, number> = Object.fromEntries(Object.keys(REFERENCE_LAYERS).map((k) => [k, 0]));
    for (const row of layerTotals) {
      const layer = layerOfNode(row.node);
      if (layer) layerMs[layer]! += Number(row.ms);
    }
    // The audit node's time is sampled (see above): its mean per turn, times the turns in the window.
    const auditSample = perNode.find((n) => n.node === "audit");
    const auditMean = await q<{ mean: number | null }>(
      `SELECT avg((t->>'ms')::float8) AS mean FROM threads, jsonb_array_elements(COALESCE("values"->'timings', '[]'::jsonb)) AS t
        WHERE t->>'node' = 'audit' AND updated_at > now() - make_interval(mins => $1)`,
    );
    if (auditSample && auditMean[0]?.mean != null) layerMs.audit = Number(auditMean[0].mean) * turns;
    const totalMs = Object.values(layerMs).reduce((a, b) => a + b, 0);
    res.json({
      window_minutes,
      turns,
      turns_per_second: turns / (window_minutes * 60),
      tokens: Number(totals[0]?.tokens ?? 0),
      cost_usd: Number(totals[0]?.cost ?? 0),
      per_node: perNode,
      intents: count(intents),
      routes: count(routes),
      tiers: count(tiers),
      verdicts: count(verdicts),
      series: fillSeries(series, window_minutes, bucketSeconds),
      layers: {
        ours: Object.fromEntries(Object.entries(layerMs).map(([k, v]) => [k, totalMs ? v / totalMs : 0])),
        ms: layerMs,
        reference: REFERENCE_LAYERS,
        total_ms: totalMs,
        // Layers with no node-level timing of their own (monitoring is a wrapper, not a node).
        unmeasured: Object.keys(layerMs).filter((k) => layerMs[k] === 0),
      },
    });
  });

  r.get("/studio/api/threads/:thread_id/audit", async (req, res) => {
    const { thread_id } = parse(ThreadParams, req.params, "path");
    await loadThread(ctx, req, thread_id, "read");
    const db = poolDb(ctx.store.pool);
    let result;
    try {
      result = await verifyAudit(db, { threadId: thread_id });
    } catch (err) {
      if ((err as { code?: string }).code === "42P01") return void res.json({ thread_id, status: "empty", rows: 0, broken_at: null, detail: "audit_log table not present" });
      throw err;
    }
    const broken = result.broken[0];
    res.json({
      thread_id,
      status: result.rows === 0 ? "empty" : broken ? "broken" : "verified",
      rows: result.rows,
      broken_at: broken?.seq ?? null,
      detail: broken?.problem ?? null,
    });
  });

  /*
   * A thread's recorded turns (`turn_traces`, one row per turn) for the Labelling view: what the
   * user said, the router's prediction, the run id the feedback API names the turn by, and the
   * latest corrected intent anyone gave it (`feedback`).
   */
  r.get("/studio/api/threads/:thread_id/turns", async (req, res) => {
    const { thread_id } = parse(ThreadParams, req.params, "path");
    await loadThread(ctx, req, thread_id, "read");
    type Row = {
      trace_id: string;
      turn: number;
      run_id: string | null;
      intent: string | null;
      confidence: number | null;
      tier: string | null;
      agent: string | null;
      outcome: string;
      started_at: Date;
      checkpoint_id: string | null;
      text: string | null;
      label_intent: string | null;
      label_author: string | null;
      label_at: Date | null;
      label_count: string;
    };
    const rows = await rowsOrEmpty<Row>(
      ctx.store.pool.query(
        `SELECT t.trace_id, t.turn, t.run_id, t.intent, t.confidence, t.tier, t.trace->'route'->>'agent' AS agent,
                t.outcome, t.started_at, t.checkpoint_id,
                (SELECT m->>'content' FROM json_array_elements(t.trace->'messages') m WHERE m->>'role' = 'user' LIMIT 1) AS text,
                l.corrected_intent AS label_intent, l.author AS label_author, l.created_at AS label_at,
                (SELECT count(*) FROM feedback f WHERE f.trace_id = t.trace_id AND f.corrected_intent IS NOT NULL) AS label_count
           FROM turn_traces t
           LEFT JOIN LATERAL (
             SELECT f.corrected_intent, f.author, f.created_at FROM feedback f
              WHERE f.trace_id = t.trace_id AND f.corrected_intent IS NOT NULL
              ORDER BY f.created_at DESC, f.id DESC LIMIT 1
           ) l ON true
          WHERE t.thread_id = $1 ORDER BY t.turn`,
        [thread_id],
      ),
    );
    res.json({
      thread_id,
      turns: rows.map((r) => ({
        trace_id: r.trace_id,
        turn: r.turn,
        run_id: r.run_id,
        intent: r.intent,
        confidence: r.confidence,
        tier: r.tier,
        agent: r.agent,
        outcome: r.outcome,
        started_at: new Date(r.started_at).toISOString(),
        checkpoint_id: r.checkpoint_id,
        text: r.text ?? "",
        label: r.label_intent ? { intent: r.label_intent, author: r.label_author, at: r.label_at ? new Date(r.label_at).toISOString() : null, count: Number(r.label_count) } : null,
      })),
    });
  });

  return r;
}

/** One point per bucket across the whole window, zeros where nothing ran, so charts keep time. */
function fillSeries(rows: Array<{ t: Date; turns: string; tokens: string | null; cost: number | null }>, windowMinutes: number, bucketSeconds: number) {
  const byT = new Map(rows.map((r) => [Math.round(new Date(r.t).getTime() / 1000), r]));
  const now = Math.floor(Date.now() / 1000);
  const first = Math.floor((now - windowMinutes * 60) / bucketSeconds) * bucketSeconds;
  const out: Array<{ t: string; turns: number; tokens: number; cost_usd: number }> = [];
  for (let t = first; t <= now; t += bucketSeconds) {
    const r = byT.get(t);
    out.push({ t: new Date(t * 1000).toISOString(), turns: Number(r?.turns ?? 0), tokens: Number(r?.tokens ?? 0), cost_usd: Number(r?.cost ?? 0) });
  }
  return out;
}

