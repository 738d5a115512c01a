import type { StructuredToolInterface } from "@langchain/core/tools";
import { createToolAgentNode, type AgentModels } from "./toolAgent.ts";

/** The inventory agent: binds only the inventory tool group (tools/index.ts TOOL_GROUPS.inventory). */
export function createInventoryAgent(tools: StructuredToolInterface[], models: AgentModels) {
  return createToolAgentNode("inventory", tools, models);
}
