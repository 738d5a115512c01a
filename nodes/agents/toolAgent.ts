import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { AgentName, AisleStateValue, AisleUpdate } from "../../graphs/state.ts";
import { renderContextBlock, type ModelContext } from "../../models/local/context.ts";
import { AGENT_FOCUS, BASE_INSTRUCTIONS } from "./prompts.ts";

export interface AgentModels {
  local: BaseChatModel;
  llm?: BaseChatModel;
}

/** How many earlier messages an agent sees (AISLE_AGENT_HISTORY, default 40): bounded prompt size. */
const HISTORY = Number(process.env.AISLE_AGENT_HISTORY ?? 40);

/** The recent conversation, cut at a user message so no tool result loses its call. */
export function recentMessages(messages: BaseMessage[], max = HISTORY): BaseMessage[] {
  if (messages.length <= max) return messages;
  for (let i = messages.length - max; i < messages.length; i++) if (messages[i].getType() === "human") return messages.slice(i);
  return messages.slice(-max);
}

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : "");

export function modelContext(state: AisleStateValue, agent: AgentName, tools: string[]): ModelContext {
  const users = state.messages.filter((m) => m.getType() === "human").slice(-4).map(textOf);
  return {
    intent: state.route?.intent ?? "out_of_scope",
    agent,
    turn: state.turn,
    caller: { role: state.caller?.role ?? "customer", ...(state.caller?.store_id ? { store_id: state.caller.store_id } : {}) },
    entities: state.entities as unknown as Record<string, unknown>,
    slots: state.slots as unknown as Record<string, unknown>,
    authenticated: state.authenticated ? { user_id: state.authenticated.user_id } : null,
    customer: state.context.customer,
    loyalty: state.context.loyalty,
    orders: state.context.orders,
    products: state.context.products,
    stock: state.context.stock,
    stores: state.context.stores,
    promotions: state.context.promotions,
    shipping: state.context.shipping,
    policy_effects: state.policy_outcome?.effects ?? [],
    pending_action: state.pending_action ? { tool: state.pending_action.tool, args: state.pending_action.args, summary: state.pending_action.summary } : null,
    recent_user_text: users,
    tools,
  };
}

/**
 * One specialist agent: the tier's chat model bound to this agent's tools only, prompted with the
 * policy and the stitched context. It proposes (a tool call or a reply); governance decides.
 */
export function createToolAgentNode(agent: AgentName, tools: StructuredToolInterface[], models: AgentModels) {
  const names = tools.map((t) => t.name);
  const boundLocal = models.local.bindTools!(tools);
  const boundLlm = models.llm?.bindTools?.(tools);
  return async function agentNode(state: AisleStateValue, config: LangGraphRunnableConfig): Promise<AisleUpdate> {
    const useLlm = state.route?.tier_used === "llm" && boundLlm;
    const system = new SystemMessage(`${BASE_INSTRUCTIONS}\n${AGENT_FOCUS[agent]}\n\nWhat Aisle knows about this conversation:\n${renderContextBlock(modelContext(state, agent, names))}`);
    const model = useLlm ? boundLlm : boundLocal;
    const response = await model.invoke([system, ...recentMessages(state.messages)], config);
    response.response_metadata = { ...response.response_metadata, aisle_tier: useLlm ? "llm" : "local", aisle_agent: agent };
    return { messages: [response] };
  };
}
