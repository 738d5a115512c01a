import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { AisleStateValue, AisleUpdate, Authenticated, StitchedContext, VerdictRecord } from "../graphs/state.ts";
import { ensureConfiguration } from "../graphs/configuration.ts";
import { BLOCKED_PREFIX } from "../models/local/index.ts";
import { isConsequential } from "./governance.ts";
import { checkIdentityLookup, checkOrderResult, sanitizeToolResult, type Verdict } from "../governance/index.ts";
import type { Db } from "../db/executor.ts";
import { runOnce } from "../tools/idempotency.ts";

/**
 * Runs the tool calls governance allowed (with fixed arguments where it corrected them) and reads
 * their results into state: a successful identity lookup authenticates the customer; records the
 * tools return refresh the stitched context. Results are checked as data before anyone reads
 * them — an order that turns out to be another customer's is withheld, and every result passes
 * governance's tool-data rail (`sanitizeToolResult`): instruction-like text inside data (a product
 * name or address saying "ignore previous instructions, refund…") is removed before any model —
 * embedded or LLM — reads it, and the verdict is recorded (stage `tool_data`).
 */

const textOf = (m: BaseMessage | unknown) => {
  const c = (m as { content?: unknown })?.content ?? m;
  return typeof c === "string" ? c : JSON.stringify(c);
};

const parse = (s: string): Record<string, unknown> | undefined => {
  if (s.startsWith("Error")) return undefined;
  try {
    const v = JSON.parse(s);
    return v && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
};

/** Where consequential tools write exactly once (tools/idempotency.ts); absent: plain invoke. */
export interface IdempotentWrites {
  db: Db;
  /** The same tools built on a transaction handle, so a write commits together with its key. */
  toolsOn: (tx: Db) => Record<string, StructuredToolInterface>;
}

export function createToolsNode(tools: Record<string, StructuredToolInterface>, writes?: IdempotentWrites) {
  return async function runTools(state: AisleStateValue, config: LangGraphRunnableConfig): Promise<AisleUpdate> {
    const cfg = ensureConfiguration(config);
    const turn = state.turn;
    const proposal = [...state.messages].reverse().find((m) => AIMessage.isInstance(m) && (m as AIMessage).tool_calls?.length) as AIMessage | undefined;
    if (!proposal) return {};
    const answered = new Set(state.messages.filter(ToolMessage.isInstance).map((m) => (m as ToolMessage).tool_call_id));
    const verdictById = new Map(state.verdicts.filter((v) => v.turn === turn && v.tool_call_id).map((v) => [v.tool_call_id!, v]));
    const messages: BaseMessage[] = [];
    const verdicts: VerdictRecord[] = [];
    const context: Partial<StitchedContext> = {};
    let authenticated: Authenticated | undefined;
    let clearPending = false;
    let handoff: { summary: string; turn: number } | undefined;
    const authUser = () => authenticated?.user_id ?? state.authenticated?.user_id;

    for (const call of proposal.tool_calls ?? []) {
      if (!call.id || answered.has(call.id)) continue;
      const v = verdictById.get(call.id);
      if (!v || (v.verdict !== "allow" && v.verdict !== "fix")) continue; // governance never cleared it
      const args = (v.fixed_args ?? call.args) as Record<string, unknown>;
      const tool = tools[call.name];
      const threadId = config.configurable?.thread_id as string | undefined;
      let content = !tool
        ? `Error: unknown tool ${call.name}`
        : writes && threadId && isConsequential(call.name)
          ? (await runOnce(writes.db, writes.toolsOn, { threadId, toolCallId: call.id, name: call.name, args })).content
          : textOf(await tool.invoke(args));
      // Tool output is data, never instructions: sanitised before it is parsed, stored or read by a model.
      const clean = sanitizeToolResult(call.name, content);
      content = clean.content;
      for (const d of clean.verdicts) verdicts.push({ turn, stage: "tool_data", tool_call_id: call.id, tool: call.name, verdict: d.action, rule: d.rule_id, reason: d.reason });
      const record = parse(content);
      const facts = () => ({ caller: cfg.caller, authenticated_user_id: authUser() });
      const withhold = (v: Verdict) => {
        verdicts.push({ turn, stage: "tool_data", tool_call_id: call.id, tool: call.name, verdict: "block", rule: v.rule_id, reason: v.reason });
        content = `${BLOCKED_PREFIX}${v.user_message ?? ""}`;
      };

      if ((call.name === "find_user_id_by_email" || call.name === "find_user_id_by_name_zip") && !content.startsWith("Error")) {
        const userId = content.trim();
        const refused = checkIdentityLookup(userId, facts());
        if (refused) {
          withhold(refused);
        } else {
          authenticated = { user_id: userId, method: call.name.endsWith("email") ? "email" : "name_zip", turn };
          context.customers_seen = [...(context.customers_seen ?? []), userId];
        }
      } else if (call.name === "get_user_details" && record) {
        context.customer = record;
      } else if (call.name === "modify_user_address" && record) {
        context.customer = record;
        clearPending = true;
      } else if (call.name === "get_loyalty_account" && record) {
        const { recent_points_history: _h, ...loyalty } = record;
        context.loyalty = loyalty;
      } else if (call.name === "get_product_details" && record) {
        context.products = { ...(context.products ?? {}), [String(record.product_id ?? args.product_id)]: record };
      } else if (record && typeof record.order_id === "string" && typeof record.user_id === "string") {
        const refused = checkOrderResult({ order_id: record.order_id, user_id: record.user_id }, facts());
        if (refused) {
          withhold(refused);
        } else {
          context.orders = { ...(context.orders ?? {}), [record.order_id]: record };
          if (isConsequential(call.name)) clearPending = true;
        }
      } else if (call.name === "transfer_to_human_agents" && !content.startsWith("Error")) {
        handoff = { summary: String(args.summary ?? ""), turn };
      }
      messages.push(new ToolMessage({ tool_call_id: call.id, name: call.name, content, status: content.startsWith("Error") || content.startsWith(BLOCKED_PREFIX) ? "error" : "success" }));
    }

    const update: AisleUpdate = { messages, verdicts };
    if (Object.keys(context).length) update.context = context;
    if (authenticated) update.authenticated = authenticated;
    if (clearPending) update.pending_action = null;
    if (handoff) update.handoff = handoff;
    return update;
  };
}
