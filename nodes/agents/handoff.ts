import type { StructuredToolInterface } from "@langchain/core/tools";
import { createToolAgentNode, type AgentModels } from "./toolAgent.ts";

/** The handoff agent: binds only the handoff tool group (tools/index.ts TOOL_GROUPS.handoff). */
export function createHandoffAgent(tools: StructuredToolInterface[], models: AgentModels) {
  return createToolAgentNode("handoff", tools, models);
}
