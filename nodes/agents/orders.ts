import type { StructuredToolInterface } from "@langchain/core/tools";
import { createToolAgentNode, type AgentModels } from "./toolAgent.ts";

/** The orders agent: binds only the orders tool group (tools/index.ts TOOL_GROUPS.orders). */
export function createOrdersAgent(tools: StructuredToolInterface[], models: AgentModels) {
  return createToolAgentNode("orders", tools, models);
}
