import { previousAssistantText } from "./conversation.ts";
import { interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { AIMessage, ToolMessage, type BaseMessage, type ToolCall } from "@langchain/core/messages";
import type { AisleStateValue, AisleUpdate, PendingAction, VerdictRecord } from "../graphs/state.ts";
import { ensureConfiguration, type TurnConfiguration } from "../graphs/configuration.ts";
import { AWAITING_CONFIRMATION, BLOCKED_PREFIX, describeAction } from "../models/local/index.ts";
import { asOrder, asProduct, asUser, type UserRecord } from "../models/local/records.ts";
import { policyFacts, type PolicyEvaluator } from "./policy.ts";
import {
  checkToolCall,
  CONFIRMATION_RULES,
  isExplicitConfirmation,
  runOutputRails,
  toolSpec,
  vetDiscount,
  type OrderFact,
  type OutputContext,
  type PaymentMethodFact,
  type PolicyEvaluator as RailPolicyEvaluator,
  type ToolCallContext,
  type Verdict,
} from "../governance/index.ts";

/**
 * Governance: the checkpoint between what a model proposes and what happens. The rules live in
 * governance/ (one mechanism): this node only builds the rails' context from graph state — who is
 * authenticated (from lookup results, never from the model), which orders are theirs and their
 * status (from tool results), what was listed and whether the customer said "yes" — calls
 * `checkToolCall` for every proposed tool call before it runs and `runOutputRails` on the reply,
 * and turns verdicts into graph moves. It holds for any model: the embedded one and any LLM alike.
 *
 * Verdicts: allow; fix (run with corrected arguments); block (the reason goes back to the agent as
 * the tool result, bounded by `max_blocked`); confirm (a block whose only reason is a missing
 * listing/"yes": list the details and wait); escalate (`interrupt()` for a manager, resumed with
 * `Command({ resume: { approved } })`, then re-checked with the approved rule ids).
 */

/** Changes orders, accounts or money (governance/toolCall.ts TOOL_SPECS): written exactly once. */
export const isConsequential = (tool: string) => toolSpec(tool).consequential;

export interface CallVerdict {
  verdict: VerdictRecord["verdict"];
  rule: string;
  reason: string;
  /** What the customer (and the agent) is told on block/escalate. */
  user_message?: string;
  fixed_args?: Record<string, unknown>;
  amount?: number;
  /** Rule ids that asked for a manager (escalate). */
  escalations?: string[];
  /** Every rail verdict behind this decision (rail + rule id), for audit and metrics. */
  rails?: Verdict[];
}

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : "");

/** The assistant's last reply before the latest user message (what the customer said "yes" to). */

/** A τ-bench order record as the tool-call rails read it. */
function orderFact(raw: unknown): OrderFact | undefined {
  const o = asOrder(raw);
  if (!o) return undefined;
  const paid = o.payment_history.filter((p) => p.transaction_type === "payment");
  return {
    user_id: o.user_id,
    status: o.status,
    total: Math.round(paid.reduce((s, p) => s + p.amount, 0) * 100) / 100,
    payment_method_ids: [...new Set(paid.map((p) => p.payment_method_id))],
    items: Object.fromEntries(o.items.map((i) => [i.item_id, i.price])),
    item_ids: o.items.map((i) => i.item_id),
    item_names: Object.fromEntries(o.items.map((i) => [i.item_id, i.name])),
  };
}

const SOURCES = new Set(["gift_card", "credit_card", "paypal"]);

/** The rails' context, filled from graph state only (never from what a model said). */
export function toolCallContext(state: AisleStateValue, cfg: TurnConfiguration, boundTools?: readonly string[], approvals: string[] = []): ToolCallContext {
  const customer = asUser(state.context.customer);
  const auth = state.authenticated;
  // context.customer is only ever the authenticated customer's profile (contextStitch loads it for them;
  // governance allows get_user_details only for them); a user_id, when present, must still match.
  const ownProfile = customer && auth && (customer.user_id ?? auth.user_id) === auth.user_id ? customer : undefined;
  const orders: Record<string, OrderFact> = {};
  for (const [id, rec] of Object.entries(state.context.orders)) {
    const f = orderFact(rec);
    if (f) orders[id] = f;
  }
  const payment_methods: Record<string, PaymentMethodFact> = {};
  for (const [id, m] of Object.entries(ownProfile?.payment_methods ?? {})) {
    payment_methods[id] = { source: (SOURCES.has(m.source) ? m.source : "other") as PaymentMethodFact["source"], ...(typeof m.balance === "number" ? { balance: m.balance } : {}) };
  }
  const p = state.pending_action;
  return {
    caller: state.caller ?? cfg.caller,
    authenticated: auth ? { user_id: auth.user_id, method: auth.method } : null,
    customers_seen: state.context.customers_seen,
    orders,
    payment_methods,
    customer_orders: ownProfile?.orders,
    last_proposal: p ? { name: p.tool, args: p.args } : null,
    user_confirmed: isExplicitConfirmation(state.input?.text ?? ""),
    listed_text: previousAssistantText(state.messages),
    bound_tools: boundTools ? [...boundTools] : undefined,
    approvals,
    customer: policyFacts(state).customer as Record<string, unknown>,
  };
}

const asRailPolicies = (policies: PolicyEvaluator | undefined): RailPolicyEvaluator | undefined =>
  policies ? (stage, facts) => policies.evaluate(stage, facts) as ReturnType<RailPolicyEvaluator> : undefined;

/** Checks one proposed call with governance/'s tool-call rails; pure (reads state and configuration only). */
export function vetToolCall(
  call: { name: string; args: Record<string, unknown> },
  state: AisleStateValue,
  cfg: TurnConfiguration,
  boundTools?: readonly string[],
  policies?: PolicyEvaluator,
  approvals: string[] = [],
): CallVerdict {
  const r = checkToolCall(call, toolCallContext(state, cfg, boundTools, approvals), {
    policies: asRailPolicies(policies),
    refundApprovalAbove: cfg.refund_approval_above,
  });
  const fired = r.verdicts.filter((v) => v.action !== "allow");
  if (r.action === "allow") {
    const confirmed = isConsequential(call.name);
    return { verdict: "allow", rule: confirmed ? "tool_call.confirmed" : "tool_call.ok", reason: confirmed ? "customer confirmed the listed action" : "all checks passed", rails: r.verdicts };
  }
  const top = fired.filter((v) => v.action === r.action);
  if (r.action === "block") {
    const real = top.filter((v) => !CONFIRMATION_RULES.has(v.rule_id));
    if (!real.length) return { verdict: "confirm", rule: top[0]!.rule_id, reason: top[0]!.reason, rails: fired };
    return { verdict: "block", rule: real[0]!.rule_id, reason: real.map((v) => v.reason).join("; "), user_message: real.find((v) => v.user_message)?.user_message, rails: fired };
  }
  if (r.action === "escalate") {
    const amount = top.map((v) => Number(v.values?.refund_amount)).find(Number.isFinite);
    return { verdict: "escalate", rule: top[0]!.rule_id, reason: top.map((v) => v.reason).join("; "), user_message: r.user_message, amount, escalations: top.map((v) => v.rule_id), rails: fired };
  }
  // fix (a capped amount): run the corrected call and say which rule corrected it.
  return { verdict: "fix", rule: top[0]!.rule_id, reason: top.map((v) => v.reason).join("; "), fixed_args: r.call.args, user_message: r.user_message, rails: fired };
}

/** The agent group each agent node binds; governance refuses anything else. */
export type ToolGroups = Record<string, readonly string[]>;

const agentToolCallsThisTurn = (messages: BaseMessage[]) => {
  let n = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i].getType() !== "human"; i--) if (AIMessage.isInstance(messages[i])) n++;
  return n;
};

export function createGovernanceNode(groups: ToolGroups, policies?: PolicyEvaluator) {
  return async function governance(state: AisleStateValue, config: LangGraphRunnableConfig): Promise<AisleUpdate> {
    const cfg = ensureConfiguration(config);
    const turn = state.turn;
    const last = state.messages.at(-1);
    if (!last || !AIMessage.isInstance(last)) return {};
    const agent = state.route?.agent ?? "info";
    const bound = groups[agent] ?? [];
    const customer = asUser(state.context.customer);

    if (!last.tool_calls?.length) return vetReply(state, last, customer, turn, policies);

    const verdicts: VerdictRecord[] = [];
    const messages: BaseMessage[] = [];
    let pending: PendingAction | null | undefined;
    const blockedSoFar = state.verdicts.filter((v) => v.turn === turn && v.verdict === "block").length;
    const overBudget = agentToolCallsThisTurn(state.messages) > cfg.max_agent_steps;

    for (const call of last.tool_calls as ToolCall[]) {
      const id = call.id ?? "";
      const args = (call.args ?? {}) as Record<string, unknown>;
      const v: CallVerdict = overBudget
        ? { verdict: "block", rule: "tool_call.step_budget", reason: `more than ${cfg.max_agent_steps} model steps this turn`, user_message: "I'm not able to finish that right now; let me know if you'd like a human agent." }
        : vetToolCall({ name: call.name, args }, state, cfg, bound, policies);
      const record: VerdictRecord = { turn, stage: "tool_call", tool_call_id: id, tool: call.name, args, verdict: v.verdict, rule: v.rule, reason: v.reason, ...(v.fixed_args ? { fixed_args: v.fixed_args } : {}) };
      if (v.verdict === "escalate") {
        // Pauses the run; a manager resumes it with Command({ resume: { approved, by?, note? } }).
        // On resume this node re-runs from the top, so everything above must stay deterministic.
        const decision = interrupt({
          kind: "escalation",
          rule_id: v.rule,
          reason: v.reason,
          required_role: "manager",
          action: { tool: call.name, args },
          amount: v.amount,
          summary: describeAction(call.name, args, { orders: state.context.orders, customer }),
        }) as { approved?: unknown; by?: unknown; note?: unknown } | boolean | undefined;
        const approved = typeof decision === "boolean" ? decision : decision?.approved === true;
        const by = typeof decision === "object" && decision && typeof decision.by === "string" ? decision.by : undefined;
        const note = typeof decision === "object" && decision && typeof decision.note === "string" ? decision.note : undefined;
        record.decision = { approved, by, note };
        pending = null;
        if (approved) {
          // The same rails again, with the manager's approval of exactly the rules that escalated.
          const again = vetToolCall({ name: call.name, args }, state, cfg, bound, policies, v.escalations ?? [v.rule]);
          if (again.verdict === "allow" || again.verdict === "fix") {
            verdicts.push({ ...record, verdict: again.verdict, reason: `${v.reason}; approved by ${by ?? "a manager"}`, ...(again.fixed_args ? { fixed_args: again.fixed_args } : {}) });
            continue;
          }
          verdicts.push({ ...record, verdict: "block", rule: again.rule, reason: `${v.reason}; approved by ${by ?? "a manager"} but ${again.reason}` });
          messages.push(new ToolMessage({ tool_call_id: id, name: call.name, status: "error", content: `${BLOCKED_PREFIX}${again.user_message ?? again.reason}` }));
          continue;
        }
        verdicts.push({ ...record, verdict: "block", reason: `${v.reason}; declined by ${by ?? "a manager"}` });
        messages.push(new ToolMessage({ tool_call_id: id, name: call.name, status: "error", content: `${BLOCKED_PREFIX}A manager declined this refund, so nothing was changed.${note ? ` Note: ${note}` : ""}` }));
        continue;
      }
      verdicts.push(record);
      if (v.verdict === "block") {
        messages.push(new ToolMessage({ tool_call_id: id, name: call.name, status: "error", content: `${BLOCKED_PREFIX}${v.user_message ?? v.reason}` }));
      } else if (v.verdict === "confirm") {
        const summary = describeAction(call.name, args, { orders: state.context.orders, customer });
        messages.push(new ToolMessage({ tool_call_id: id, name: call.name, status: "error", content: AWAITING_CONFIRMATION }));
        const reminder = /items/.test(call.name) ? " Please make sure this includes every item you want to change, as this can only be done once." : "";
        // What the model said with its proposal (e.g. the outcome of the previous order of a
        // multi-order request) is shown before the listing, only if it passes the output rails untouched.
        const lead = textOf(last).trim();
        const shown = lead && runOutputRails(lead, outputContext(state, customer, 0)).action === "allow" ? `${lead}\n\n` : "";
        messages.push(new AIMessage({ content: `${shown}To confirm: I'll ${summary}.${reminder} Shall I go ahead? (yes/no)`, response_metadata: { aisle_node: "governance" } }));
        pending = { tool: call.name, args, intent: state.route?.intent ?? "out_of_scope", listed_turn: turn, summary };
        break; // one consequential action at a time; the turn ends with the confirmation question
      }
    }
    // Too many blocked proposals this turn: stop the loop with an honest answer.
    const blockedNow = verdicts.filter((v) => v.verdict === "block").length;
    if (blockedNow && blockedSoFar + blockedNow > cfg.max_blocked && !messages.some((m) => AIMessage.isInstance(m))) {
      const reasons = messages.filter(ToolMessage.isInstance).map((m) => textOf(m).replace(BLOCKED_PREFIX, ""));
      messages.push(new AIMessage({ content: reasons.at(-1) ?? "I can't do that.", response_metadata: { aisle_node: "governance" } }));
    }
    const out: AisleUpdate = { verdicts, messages };
    if (pending !== undefined) out.pending_action = pending;
    const closing = messages.at(-1);
    if (closing && AIMessage.isInstance(closing)) out.reply = textOf(closing);
    return out;
  };
}

/** Units the stitched context says are on hand per product name (store + nearest stores + warehouses). */
export function stockFacts(state: AisleStateValue): Record<string, number> {
  const out: Record<string, number> = {};
  type Line = { quantity?: unknown };
  const sum = (xs: unknown) => (Array.isArray(xs) ? (xs as Line[]).reduce((s, x) => s + (Number(x.quantity) || 0), 0) : 0);
  const st = state.context.stock as { product?: { name?: string }; store?: Line; nearest?: unknown; warehouses?: unknown } | null;
  if (st?.product?.name) out[st.product.name] = (Number(st.store?.quantity) || 0) + sum(st.nearest) + sum(st.warehouses);
  for (const rec of Object.values(state.context.products)) {
    const p = asProduct(rec);
    if (p && !(p.name in out)) out[p.name] = Object.values(p.variants ?? {}).filter((v) => v.available).length;
  }
  return out;
}

/** Objects in the stitched context that are store records (a store id with an address or phone). */
function storeRecords(roots: unknown[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (x: unknown, depth: number) => {
    if (depth > 5 || x === null || typeof x !== "object") return;
    if (Array.isArray(x)) {
      for (const v of x) walk(v, depth + 1);
      return;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.store_id === "string" && (typeof o.address1 === "string" || typeof o.phone === "string")) out.push(o);
    for (const v of Object.values(o)) walk(v, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  return out;
}

/** What the output rail may let through: the authenticated customer's own PII, stock and policy facts. */
export function outputContext(state: AisleStateValue, customer: UserRecord | undefined, grantedPct: number): OutputContext {
  const own = customer && state.authenticated && (customer.user_id ?? state.authenticated.user_id) === state.authenticated.user_id ? customer : undefined;
  const addresses: string[] = [];
  const addAddress = (a: Record<string, string> | undefined) => {
    if (a?.address1) addresses.push(a.address1);
  };
  addAddress(own?.address);
  for (const o of Object.values(state.context.orders)) {
    const order = asOrder(o);
    // τ-bench user records carry no user_id: ownership is the authenticated id.
    if (own && order && order.user_id === state.authenticated?.user_id) addAddress(order.address);
  }
  // Stores are businesses: their street address and phone number (from the stitched stores and
  // stock context) are public and may be told to anyone asking where a store is.
  const phones: string[] = [];
  for (const store of storeRecords([state.context.stores, state.context.stock])) {
    if (typeof store.address1 === "string") addresses.push(store.address1);
    if (typeof store.phone === "string") phones.push(store.phone);
  }
  return {
    own: {
      emails: own?.email ? [own.email] : [],
      phones,
      addresses,
      card_last4: Object.values(own?.payment_methods ?? {}).flatMap((m) => (m.last_four ? [m.last_four] : [])),
      names: own?.name ? [`${own.name.first_name} ${own.name.last_name}`] : [],
    },
    stock: stockFacts(state),
    granted_discount_pct: grantedPct,
    effects: (state.policy_outcome?.effects ?? []).map((e) => e.effect),
  };
}

function vetReply(state: AisleStateValue, reply: AIMessage, customer: UserRecord | undefined, turn: number, policies: PolicyEvaluator | undefined): AisleUpdate {
  const text = textOf(reply);
  const verdicts: VerdictRecord[] = [];
  // The policy engine decides which discount (if any) the reply may grant; the output rail then
  // treats anything beyond that as an ungranted promise.
  const discount = vetDiscount(text, policyFacts(state), asRailPolicies(policies));
  // A rewritten or refused reply keeps the original in `args.text`: traces pair the two for preference training.
  if (discount.verdict && discount.verdict.verdict !== "allow") verdicts.push({ turn, stage: "output", ...discount.verdict, args: { text } });
  const granted = discount.verdict?.verdict === "allow" || discount.verdict?.verdict === "fix" ? Number(discount.verdict.fixed_args?.percent ?? discount.pct ?? 0) : 0;
  const rails = runOutputRails(discount.text, outputContext(state, customer, granted));
  for (const v of rails.verdicts) {
    if (v.action === "allow") continue;
    verdicts.push({ turn, stage: "output", verdict: v.action, rule: v.rule_id, reason: v.reason, args: { text } });
  }
  let safe = rails.text ?? discount.text;
  if (rails.action === "block" || rails.action === "escalate") safe = rails.user_message ?? "I'm sorry, I can't send that reply. Let me get a member of our team to help.";
  if (!verdicts.length) verdicts.push({ turn, stage: "output", verdict: "allow", rule: "output.ok", reason: "reply passed output rails" });
  const messages: BaseMessage[] =
    safe !== text ? [new AIMessage({ id: reply.id, content: safe, response_metadata: reply.response_metadata, usage_metadata: reply.usage_metadata })] : [];
  const out: AisleUpdate = { verdicts, messages, reply: safe };
  // A "no" to the listed action retires it; the customer must ask again to act.
  if (state.entities.confirmation === "no") out.pending_action = null;
  return out;
}

/** Where the turn goes after governance: run tools, back to the agent, or finish. */
export function afterGovernance(state: AisleStateValue): "tools" | "agent" | "audit" {
  const last = state.messages.at(-1);
  if (!last) return "audit";
  if (AIMessage.isInstance(last)) {
    if (!last.tool_calls?.length) return "audit";
    return "tools";
  }
  if (ToolMessage.isInstance(last)) {
    // Some calls of the proposal may still be allowed and waiting to run.
    const proposal = [...state.messages].reverse().find((m) => AIMessage.isInstance(m) && (m as AIMessage).tool_calls?.length) as AIMessage | undefined;
    const answered = new Set(state.messages.filter(ToolMessage.isInstance).map((m) => (m as ToolMessage).tool_call_id));
    if (proposal?.tool_calls?.some((c) => c.id && !answered.has(c.id))) return "tools";
    return "agent";
  }
  return "audit";
}
