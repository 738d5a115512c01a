import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { Db } from "../db/executor.ts";
import { AisleInput, AisleState, type AgentName, type AisleStateValue } from "./state.ts";
import { monitored, type PriceFn } from "./monitoring.ts";
import { DURABILITY } from "./configuration.ts";
import type { ContextSources } from "./sources.ts";
import { createDataPrepNode, inputStopped, type CatalogueIndex } from "../nodes/dataPrep.ts";
import { createRouterNode, type IntentRouter } from "../nodes/router.ts";
import { createContextStitchNode } from "../nodes/contextStitch.ts";
import { createPolicyNode, type PolicyEvaluator } from "../nodes/policy.ts";
import { createGovernanceNode, afterGovernance } from "../nodes/governance.ts";
import { createToolsNode } from "../nodes/tools.ts";
import { createAuditNode } from "../nodes/audit.ts";
import { createOrdersAgent } from "../nodes/agents/orders.ts";
import { createPaymentsAgent } from "../nodes/agents/payments.ts";
import { createInventoryAgent } from "../nodes/agents/inventory.ts";
import { createInfoAgent } from "../nodes/agents/info.ts";
import { createHandoffAgent } from "../nodes/agents/handoff.ts";
import type { AgentModels } from "../nodes/agents/toolAgent.ts";

/** Everything the turn graph is built from; created once per process by graphs/runtime.ts. */
export interface RetailGraphDeps {
  db: Db;
  /** Every tool by name (tools/index.ts createRetailTools). */
  tools: Record<string, StructuredToolInterface>;
  /** The tools built on another handle (a transaction): consequential calls then write exactly once. */
  toolsOn?: (db: Db) => Record<string, StructuredToolInterface>;
  /** Which tools each agent binds (tools/index.ts TOOL_GROUPS). */
  toolGroups: Record<AgentName, readonly string[]>;
  router: IntentRouter;
  catalogue: CatalogueIndex;
  sources: ContextSources;
  policies?: PolicyEvaluator;
  models: AgentModels;
  price: PriceFn;
}

export const AGENT_NODES = {
  orders: "orders_agent",
  payments: "payments_agent",
  inventory: "inventory_agent",
  info: "info_agent",
  handoff: "handoff_agent",
} as const satisfies Record<AgentName, string>;
type AgentNodeName = (typeof AGENT_NODES)[AgentName];
const AGENT_NODE_NAMES = Object.values(AGENT_NODES) as AgentNodeName[];

const agentNode = (state: AisleStateValue): AgentNodeName => AGENT_NODES[state.route?.agent ?? "info"];

/**
 * The one turn graph:
 *
 *   START → dataPrep → router → contextStitch → policy → <agent> → governance → audit → END
 *              │ (input rail block/escalate)       ↑                    │ ↓ (allowed calls)
 *              └──────────────→ audit              └──── policy ←──── tools
 *
 * Rails (all from governance/): input in dataPrep, tool data in tools, tool calls and the reply in
 * governance.
 *
 * Each agent proposes (tool call or reply); governance vets every proposal before tools run and
 * the reply before it leaves; tools feed results back to the same agent. Monitoring wraps every
 * node (no node of its own). Build once per process: compiling per turn would dominate latency.
 */
export function buildRetailGraph(deps: RetailGraphDeps) {
  const pick = (agent: AgentName) => deps.toolGroups[agent].flatMap((n) => (deps.tools[n] ? [deps.tools[n]] : []));
  const boundGroups = Object.fromEntries(
    (Object.keys(AGENT_NODES) as AgentName[]).map((a) => [a, pick(a).map((t) => t.name)]),
  ) as Record<AgentName, string[]>;
  const m = <F extends Parameters<typeof monitored>[1]>(name: string, fn: F) => monitored(name, fn, deps.price);

  return new StateGraph({ state: AisleState, input: AisleInput })
    .addNode("dataPrep", m("dataPrep", createDataPrepNode(deps.catalogue)))
    .addNode("router", m("router", createRouterNode(deps.router, !!deps.models.llm)))
    .addNode("contextStitch", m("contextStitch", createContextStitchNode(deps.sources)))
    .addNode("policy", m("policy", createPolicyNode(deps.policies)))
    .addNode("orders_agent", m("orders_agent", createOrdersAgent(pick("orders"), deps.models)))
    .addNode("payments_agent", m("payments_agent", createPaymentsAgent(pick("payments"), deps.models)))
    .addNode("inventory_agent", m("inventory_agent", createInventoryAgent(pick("inventory"), deps.models)))
    .addNode("info_agent", m("info_agent", createInfoAgent(pick("info"), deps.models)))
    .addNode("handoff_agent", m("handoff_agent", createHandoffAgent(pick("handoff"), deps.models)))
    .addNode("governance", m("governance", createGovernanceNode(boundGroups, deps.policies)))
    .addNode("tools", m("tools", createToolsNode(deps.tools, deps.toolsOn ? { db: deps.db, toolsOn: deps.toolsOn } : undefined)))
    .addNode("audit", m("audit", createAuditNode(deps.db)))
    .addEdge(START, "dataPrep")
    // Input rails run in dataPrep; a blocked or escalated message ends the turn before routing.
    .addConditionalEdges("dataPrep", (state: AisleStateValue) => (inputStopped(state) ? "audit" : "router"), ["router", "audit"])
    .addEdge("router", "contextStitch")
    .addEdge("contextStitch", "policy")
    .addConditionalEdges("policy", agentNode, AGENT_NODE_NAMES)
    .addEdge("orders_agent", "governance")
    .addEdge("payments_agent", "governance")
    .addEdge("inventory_agent", "governance")
    .addEdge("info_agent", "governance")
    .addEdge("handoff_agent", "governance")
    .addConditionalEdges(
      "governance",
      (state: AisleStateValue) => {
        const next = afterGovernance(state);
        if (next === "tools" || next === "audit") return next;
        return agentNode(state);
      },
      ["tools", "audit", ...AGENT_NODE_NAMES],
    )
    // Tool results can change the facts rules read (a customer just authenticated, a loyalty
    // account loaded), so they pass the policy node again on the way back to the agent.
    .addEdge("tools", "policy")
    .addEdge("audit", END);
}

/**
 * Super-steps a turn may take: the four before the agent, four per tool round trip (agent,
 * governance, tools, policy) for up to AISLE_MAX_AGENT_STEPS model calls, and the closing ones.
 * LangGraph's default of 25 cut off legitimate turns (a status question about five orders fetches
 * each one); the agent-step cap, not this limit, is what bounds a turn.
 */
const RECURSION_LIMIT = 4 + 4 * Math.max(1, Number(process.env.AISLE_MAX_AGENT_STEPS ?? 8) || 8) + 8;

/** Compiles the graph; Aisle's durability mode and step limit are its defaults (a run may pass its own). */
export function compileRetailGraph(deps: RetailGraphDeps, checkpointer?: BaseCheckpointSaver) {
  const compiled = buildRetailGraph(deps).compile({ checkpointer, name: "retail" });
  return compiled.withConfig({ durability: DURABILITY, recursionLimit: RECURSION_LIMIT } as Parameters<typeof compiled.withConfig>[0]) as typeof compiled;
}

export type RetailGraph = ReturnType<typeof compileRetailGraph>;

/**
 * Entry point for `langgraph.json` (LangGraph CLI / Studio): a factory that opens Aisle's database
 * (DATABASE_URL or embedded) once and returns the compiled graph with its Postgres checkpointer.
 */
export const graph = async () => {
  const { sharedRuntime } = await import("./runtime.ts");
  return (await sharedRuntime()).graph;
};
