/**
 * Aisle's router: intent → agent → model tier for every turn, from Aisle's own trained model.
 *
 *   const router = await loadRouter();                 // the model shipped in the repo
 *   const registry = await RouterRegistry.open(pool);  // the DB-active version, hot-swapped
 *   registry.current().route("where is my order #W2611340?")
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { Classifier, type RouterModelFile } from "./model.ts";
import { ModelRouter, type Router } from "./router.ts";
import { activeRouterVersion, loadRouterModel, ROUTER_CHANNEL } from "./store.ts";

export { INTENTS, INTENT_LIST, AGENTS, AGENT_BY_INTENT, agentFor, LabelledUtterance, type Intent, type Agent } from "./intents.ts";
export { EntityHints, featurise, normalise, type FeaturiserConfig } from "./featurise.ts";
export { RouteDecision, ModelRouter, multiStepSignal, type Router } from "./router.ts";
export { Classifier, RouterModelFile, TierThresholds } from "./model.ts";
export { registerRouterModel, activeRouterVersion, readRouteLabels, listRouterModels, ROUTER_CHANNEL } from "./store.ts";

/** The model file shipped in the repository (trained by `aisle train router`, loaded offline). */
export const SHIPPED_MODEL_PATH = fileURLToPath(new URL("./router.model.json", import.meta.url));

let shipped: ModelRouter | undefined;

export function routerFromModel(model: RouterModelFile | unknown): ModelRouter {
  return new ModelRouter(Classifier.fromJson(model));
}

export function loadRouterFile(path: string): ModelRouter {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`cannot read router model ${path}: ${(err as Error).message}`);
  }
  return routerFromModel(json);
}

/** The shipped router (parsed once per process). */
export function shippedRouter(): ModelRouter {
  shipped ??= loadRouterFile(SHIPPED_MODEL_PATH);
  return shipped;
}

/**
 * The active router: from `file` when given; else the DB-registered active version when a pool is
 * given (falling back to the shipped model while none is registered); else the shipped model.
 */
export async function loadRouter(opts: { pool?: pg.Pool; file?: string } = {}): Promise<ModelRouter> {
  if (opts.file) return loadRouterFile(opts.file);
  if (opts.pool) {
    const version = await activeRouterVersion(opts.pool);
    if (version) return routerFromModel(await loadRouterModel(opts.pool, version));
  }
  return shippedRouter();
}

/**
 * Keeps the server's router current without a restart: listens on the `aisle_router_model`
 * channel (notified by `aisle model import` / training) and polls as a fallback, so a missed
 * notification or a dropped connection delays a swap by at most one poll interval.
 */
export class RouterRegistry {
  private router: ModelRouter;
  private timer?: NodeJS.Timeout;
  private listener?: pg.PoolClient;
  private refreshing?: Promise<boolean>;
  private readonly listeners = new Set<(r: Router) => void>();

  private constructor(
    private readonly pool: pg.Pool,
    initial: ModelRouter,
  ) {
    this.router = initial;
  }

  /**
   * Loads the active version and starts watching. `pollMs` defaults to AISLE_ROUTER_POLL_MS or
   * 5000; 0 disables polling (call `refresh()` yourself). `listen: false` skips LISTEN.
   */
  static async open(pool: pg.Pool, opts: { pollMs?: number; listen?: boolean } = {}): Promise<RouterRegistry> {
    const registry = new RouterRegistry(pool, await loadRouter({ pool }));
    const pollMs = opts.pollMs ?? Number(process.env.AISLE_ROUTER_POLL_MS ?? 5000);
    if (pollMs > 0) {
      registry.timer = setInterval(() => void registry.refresh().catch(() => {}), pollMs);
      registry.timer.unref();
    }
    if (opts.listen !== false) {
      const client = await pool.connect();
      client.on("notification", (msg) => {
        if (msg.channel === ROUTER_CHANNEL) void registry.refresh().catch(() => {});
      });
      // A broken listening connection is not fatal: polling still picks up new versions.
      client.on("error", () => {});
      await client.query(`LISTEN ${ROUTER_CHANNEL}`);
      registry.listener = client;
    }
    return registry;
  }

  /** The router to use for the next turn. */
  current(): Router {
    return this.router;
  }

  get version(): string {
    return this.router.version;
  }

  onChange(fn: (r: Router) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Re-reads the active version; resolves true when it changed. Concurrent calls share one read. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        const version = await activeRouterVersion(this.pool);
        if (!version || version === this.router.version) return false;
        this.router = routerFromModel(await loadRouterModel(this.pool, version));
        for (const fn of this.listeners) fn(this.router);
        return true;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.listener) {
      await this.listener.query(`UNLISTEN ${ROUTER_CHANNEL}`).catch(() => {});
      this.listener.release();
      this.listener = undefined;
    }
  }
}
