import type pg from "pg";
import type { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { poolDb } from "../db/executor.ts";
import { createRetailTools, TOOL_GROUPS } from "../tools/index.ts";
import { loadRouter } from "../models/router/index.ts";
import { AisleLocalChatModel } from "../models/local/index.ts";
import { createLlm, llmSettingsFromEnv, NO_LLM_PRICE, type LlmSettings } from "../models/llm/index.ts";
import { loadCatalogueIndex } from "../nodes/dataPrep.ts";
import { KeywordRouter, type IntentRouter } from "../nodes/router.ts";
import type { PolicyEvaluator } from "../nodes/policy.ts";
import { AislePostgresSaver } from "./checkpointer.ts";
import { compileRetailGraph, type RetailGraph, type RetailGraphDeps } from "./retail.ts";
import { retailPlaneSources } from "./retailPlane.ts";
import { tauSources } from "./sources.ts";
import type { AgentName } from "./state.ts";

export { DURABILITY } from "./configuration.ts";

export interface AisleRuntimeOptions {
  pool: pg.Pool;
  /** Connection string of the same database (unused today; kept for checkpointers that need it). */
  databaseUrl?: string;
  /** LLM tier: explicit settings, a ready chat model, or (default) OPENAI_* from the environment. */
  llm?: LlmSettings | BaseChatModel | null;
  /** Router override (tests); default: the registered/shipped trained router. */
  router?: IntentRouter;
  /** Policy engine override; default: policies/packs loaded once (fails closed if absent). */
  policies?: PolicyEvaluator | null;
  /** Skip PostgresSaver.setup() (the caller already ran it). */
  skipSetup?: boolean;
}

export interface AisleRuntime {
  /** The compiled turn graph with the Postgres checkpointer (invoke/stream with a thread_id). */
  graph: RetailGraph;
  checkpointer: PostgresSaver;
  deps: RetailGraphDeps;
  /** Releases what the runtime opened itself (not the pool, which belongs to the caller). */
  close(): Promise<void>;
}

async function loadPolicies(): Promise<PolicyEvaluator | undefined> {
  try {
    const path = "../policies/engine.ts";
    const mod = (await import(path)) as { PolicyEngine?: { load(p: string): PolicyEvaluator } };
    const dir = process.env.AISLE_POLICY_PATH ?? new URL("../policies/packs", import.meta.url).pathname;
    return mod.PolicyEngine?.load(dir);
  } catch {
    return undefined;
  }
}

/**
 * Builds Aisle's runtime once per process: tools on the pool, the router, the catalogue index,
 * the policy engine, the models, and the compiled graph with a PostgresSaver (tables created on
 * first use). Input contract: `{ messages: [{ role: "user", content }] }`; caller identity only
 * from `config.configurable.caller`; resume an escalation with `new Command({ resume })`.
 */
export async function createAisleRuntime(opts: AisleRuntimeOptions): Promise<AisleRuntime> {
  const db = poolDb(opts.pool);
  const tools = createRetailTools(db);
  let router: IntentRouter = opts.router ?? new KeywordRouter();
  if (!opts.router) {
    try {
      router = await loadRouter({ pool: opts.pool });
    } catch {
      // No trained router available: the keyword router keeps Aisle usable.
    }
  }
  const catalogue = await loadCatalogueIndex(db);
  let llm: BaseChatModel | undefined;
  let price = NO_LLM_PRICE;
  if (opts.llm && "invoke" in (opts.llm as object)) llm = opts.llm as BaseChatModel;
  else if (opts.llm !== null) {
    const settings = (opts.llm as LlmSettings | undefined) ?? llmSettingsFromEnv();
    if (settings) {
      llm = createLlm(settings);
      price = settings.price;
    }
  }
  const policies = opts.policies === null ? undefined : (opts.policies ?? (await loadPolicies()));
  const deps: RetailGraphDeps = {
    db,
    tools,
    toolsOn: createRetailTools,
    toolGroups: TOOL_GROUPS as unknown as Record<AgentName, readonly string[]>,
    router,
    catalogue,
    sources: { ...tauSources(tools), ...retailPlaneSources(db, tools) },
    policies,
    models: { local: new AisleLocalChatModel({}), llm },
    price: (tier) => (tier === "llm" ? price : NO_LLM_PRICE),
  };
  const checkpointer = new AislePostgresSaver(opts.pool);
  if (!opts.skipSetup) await checkpointer.setup();
  const graph = compileRetailGraph(deps, checkpointer);
  return { graph, checkpointer, deps, close: async () => {} };
}

let shared: Promise<AisleRuntime & { release(): Promise<void> }> | undefined;

/** One runtime per process on Aisle's own database (for langgraph.json and scripts). */
export function sharedRuntime() {
  shared ??= (async () => {
    const { openReadyDatabase } = await import("../db/bootstrap.ts");
    const database = await openReadyDatabase();
    const runtime = await createAisleRuntime({ pool: database.pool, databaseUrl: database.url });
    return { ...runtime, release: () => database.close() };
  })();
  return shared;
}
