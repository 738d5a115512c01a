import type { StructuredToolInterface } from "@langchain/core/tools";
import { createToolAgentNode, type AgentModels } from "./toolAgent.ts";

/** The payments agent: binds only the payments tool group (tools/index.ts TOOL_GROUPS.payments). */
export function createPaymentsAgent(tools: StructuredToolInterface[], models: AgentModels) {
  return createToolAgentNode("payments", tools, models);
}
