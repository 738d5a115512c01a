import type { StructuredToolInterface } from "@langchain/core/tools";
import { createToolAgentNode, type AgentModels } from "./toolAgent.ts";

/** The info agent: binds only the info tool group (tools/index.ts TOOL_GROUPS.info). */
export function createInfoAgent(tools: StructuredToolInterface[], models: AgentModels) {
  return createToolAgentNode("info", tools, models);
}
