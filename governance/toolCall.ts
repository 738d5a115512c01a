/**
 * Tool-call rails: every proposed tool call is checked *before* it runs. The τ-bench protocol
 * (authenticate first, one customer, own orders, status allows the action, allowed reasons, listed
 * details + explicit yes, refund destinations) is enforced here from a per-tool table; amount caps
 * and staff limits come from the policy pack (`tool_call` stage), so they are data.
 */
import type { Facts, PolicyEvaluation } from "../policies/engine.ts";
import type { PolicyStage } from "../policies/schema.ts";
import { applyConfiguredAction, type GovernanceConfig } from "./config.ts";
import {
  combine,
  ToolCallContext,
  type OrderFact,
  type ProposedToolCall,
  type RailResult,
  type ToolCallContextParsed,
  type Verdict,
} from "./types.ts";

export type ActionKind = "refund" | "cancel" | "discount" | "price_override" | "promo" | "payment_change" | "address_change" | "item_change" | "none";

export interface ToolSpec {
  /** Changes orders, accounts or money: needs listed details and an explicit "yes". */
  consequential: boolean;
  /** The customer must be authenticated (email, or name + zip) first. */
  requiresAuth: boolean;
  /** Argument naming a user id that must be the authenticated customer. */
  userArg?: string;
  /** The order the call acts on and the statuses that allow it (`*` = any; only ownership checked). */
  order?: { arg: string; statuses: readonly string[] | "*" };
  /** Argument holding item ids that must belong to the order. */
  itemsArg?: string;
  /** Argument holding the replacement item ids: exactly one per item in `itemsArg`. */
  newItemsArg?: string;
  /** Arguments restricted to a fixed set of values. */
  enums?: Record<string, readonly string[]>;
  /** How the payment-method argument is checked. */
  payment?: { arg: string; rule: "own" | "refund_destination" | "different_own_covering_total" };
  kind: ActionKind;
  /** Amounts for the policy facts (refund amount, discount percent …). */
  amounts?: (args: Record<string, unknown>, order: OrderFact | undefined) => Record<string, number>;
}

const CANCEL_REASONS = ["no longer needed", "ordered by mistake"] as const;

const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN);
const ids = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);

/** The table: τ-bench retail tools plus the staff pricing tools. Register more with `registerToolSpec`. */
export const TOOL_SPECS: Record<string, ToolSpec> = {
  find_user_id_by_email: { consequential: false, requiresAuth: false, kind: "none" },
  find_user_id_by_name_zip: { consequential: false, requiresAuth: false, kind: "none" },
  list_all_product_types: { consequential: false, requiresAuth: false, kind: "none" },
  get_product_details: { consequential: false, requiresAuth: false, kind: "none" },
  calculate: { consequential: false, requiresAuth: false, kind: "none" },
  think: { consequential: false, requiresAuth: false, kind: "none" },
  transfer_to_human_agents: { consequential: false, requiresAuth: false, kind: "none" },
  get_user_details: { consequential: false, requiresAuth: true, userArg: "user_id", kind: "none" },
  get_loyalty_account: { consequential: false, requiresAuth: true, userArg: "user_id", kind: "none" },
  get_order_details: { consequential: false, requiresAuth: true, order: { arg: "order_id", statuses: "*" }, kind: "none" },
  cancel_pending_order: {
    consequential: true,
    requiresAuth: true,
    order: { arg: "order_id", statuses: ["pending"] },
    enums: { reason: CANCEL_REASONS },
    // A cancel refunds a pending order in full by τ-bench policy: not a refund decision ("refund"
    // rules and approval limits are for returns), but the amount is still in the facts.
    kind: "cancel",
    amounts: (_a, o) => ({ refund_amount: o?.total ?? NaN }),
  },
  modify_pending_order_address: { consequential: true, requiresAuth: true, order: { arg: "order_id", statuses: ["pending"] }, kind: "address_change" },
  modify_pending_order_payment: {
    consequential: true,
    requiresAuth: true,
    order: { arg: "order_id", statuses: ["pending"] },
    payment: { arg: "payment_method_id", rule: "different_own_covering_total" },
    kind: "payment_change",
  },
  modify_pending_order_items: {
    consequential: true,
    requiresAuth: true,
    order: { arg: "order_id", statuses: ["pending"] },
    itemsArg: "item_ids",
    newItemsArg: "new_item_ids",
    payment: { arg: "payment_method_id", rule: "own" },
    kind: "item_change",
  },
  return_delivered_order_items: {
    consequential: true,
    requiresAuth: true,
    order: { arg: "order_id", statuses: ["delivered"] },
    itemsArg: "item_ids",
    payment: { arg: "payment_method_id", rule: "refund_destination" },
    kind: "refund",
    amounts: (a, o) => ({ refund_amount: ids(a.item_ids).reduce((s, id) => s + (o?.items[id] ?? NaN), 0) }),
  },
  exchange_delivered_order_items: {
    consequential: true,
    requiresAuth: true,
    order: { arg: "order_id", statuses: ["delivered"] },
    itemsArg: "item_ids",
    newItemsArg: "new_item_ids",
    payment: { arg: "payment_method_id", rule: "own" },
    kind: "item_change",
  },
  modify_user_address: { consequential: true, requiresAuth: true, userArg: "user_id", kind: "address_change" },
  apply_discount: { consequential: true, requiresAuth: false, kind: "discount", amounts: (a) => ({ discount_pct: num(a.percent) }) },
  override_price: {
    consequential: true,
    requiresAuth: false,
    kind: "price_override",
    amounts: (a) => {
      const original = num(a.original_price);
      const next = num(a.new_price);
      return { original_price: original, new_price: next, override_pct: original > 0 ? ((original - next) / original) * 100 : NaN };
    },
  },
  apply_promo_code: { consequential: true, requiresAuth: true, kind: "promo" },
};

export function registerToolSpec(name: string, spec: ToolSpec): void {
  TOOL_SPECS[name] = spec;
}

/** Unlisted tools: read-only by name (get_/find_/list_/check_/search_/lookup_), else fail closed as consequential. */
export function toolSpec(name: string): ToolSpec {
  const spec = TOOL_SPECS[name];
  if (spec) return spec;
  if (/^(?:get|find|list|check|search|lookup|describe|show)_/.test(name)) return { consequential: false, requiresAuth: false, kind: "none" };
  return { consequential: true, requiresAuth: true, kind: "none" };
}

/** Arguments compare as listed: arrays as sets (τ-bench item lists are unordered), numbers by value. */
function sameArgs(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      const sx = [...x.map(String)].sort();
      const sy = [...y.map(String)].sort();
      if (sx.some((v, i) => v !== sy[i])) return false;
    } else if (typeof x === "number" || typeof y === "number") {
      if (num(x) !== num(y)) return false;
    } else if (JSON.stringify(x ?? null) !== JSON.stringify(y ?? null)) return false;
  }
  return true;
}

export type PolicyEvaluator = (stage: PolicyStage, facts: Facts) => PolicyEvaluation;

export interface ToolCallRailOptions {
  /** The policy engine's evaluate (e.g. `getPolicyEngine().evaluate.bind(engine)`); without it amount caps are not checked. */
  policies?: PolicyEvaluator;
  config?: GovernanceConfig;
  /**
   * Refunds above this many dollars escalate to a manager (rule `tool_call.refund.approval_above`)
   * unless the caller is a manager/admin or the rule id is in `approvals`. The graph passes its run
   * configuration (AISLE_REFUND_APPROVAL_ABOVE); the policy pack may add its own approval rules.
   */
  refundApprovalAbove?: number;
}

export interface ToolCallResult extends RailResult {
  /** The call to run: the original, or the corrected one when action is `fix`. */
  call: ProposedToolCall;
  policy_version?: string;
}

const MSG = {
  auth: "Before I can help with that, I need to verify your identity: please share your email, or your first and last name and zip code.",
  otherCustomer: "I can only help with the account you've verified in this conversation.",
  notOwned: (id: string) => `I can't find order ${id} on your account, so I can't help with it.`,
  unknownOrder: (id: string) => `Let me look up order ${id} first.`,
  status: (id: string, s: string, allowed: readonly string[]) => `Order ${id} is ${s}, so that can't be done: it needs to be ${allowed.join(" or ")}.`,
  confirm: "Before I do that, please confirm the details I listed by replying \"yes\".",
  notBound: "I can't do that from here.",
};

/** Rule ids that only mean "list the details and ask for yes" (the graph turns them into a confirmation question). */
export const CONFIRMATION_RULES: ReadonlySet<string> = new Set(["tool_call.confirmation.not_listed", "tool_call.confirmation.missing"]);

/**
 * An assistant message listed a call when it names every detail of it: order id, reason, each item
 * (by id or product name), each replacement item, and the address fields.
 */
function listedIn(text: string | undefined, args: Record<string, unknown>, order: OrderFact | undefined): boolean {
  const listed = (text ?? "").toLowerCase();
  if (!listed) return false;
  const must: string[] = [];
  if (typeof args.order_id === "string") must.push(args.order_id);
  if (typeof args.reason === "string") must.push(args.reason);
  for (const id of ids(args.item_ids)) {
    const name = order?.item_names?.[id];
    must.push(name && !listed.includes(id) ? name : id);
  }
  for (const id of ids(args.new_item_ids)) must.push(id);
  for (const k of ["address1", "city", "zip"]) if (typeof args[k] === "string") must.push(args[k] as string);
  return must.length > 0 && must.every((m) => listed.includes(m.toLowerCase()));
}

/**
 * Checks one proposed tool call against the protocol and the policy pack. Protocol violations block
 * (with a reason the agent can act on); only a call that passes them is priced against the policy
 * caps, which may fix (cap) or escalate (manager approval).
 */
export function checkToolCall(call: ProposedToolCall, context: ToolCallContext, opts: ToolCallRailOptions = {}): ToolCallResult {
  const ctx: ToolCallContextParsed = ToolCallContext.parse(context);
  const spec = toolSpec(call.name);
  const args = call.args ?? {};
  const verdicts: Verdict[] = [];
  const block = (rule_id: string, reason: string, user_message?: string) =>
    verdicts.push(applyConfiguredAction({ action: "block", rail: "tool_call", rule_id, reason, user_message, severity: "high" }, opts.config?.actions));

  const acceptApiKey = opts.config?.acceptApiKeyAuth ?? true;
  const auth = ctx.authenticated && (ctx.authenticated.method !== "api_key" || (acceptApiKey && ctx.caller.customer_id === ctx.authenticated.user_id))
    ? ctx.authenticated
    : null;

  if (ctx.bound_tools && !ctx.bound_tools.includes(call.name)) block("tool_call.tool.not_bound", `${call.name} is not bound to the proposing agent`, MSG.notBound);
  if (spec.requiresAuth && !auth) block("tool_call.auth.required", `${call.name} needs an authenticated customer (email, or name + zip)`, MSG.auth);
  if (auth) {
    if (ctx.caller.role === "customer" && ctx.caller.customer_id && ctx.caller.customer_id !== auth.user_id)
      block("tool_call.customer.mismatch", `caller is bound to ${ctx.caller.customer_id} but the conversation authenticated ${auth.user_id}`, MSG.otherCustomer);
    const others = ctx.customers_seen.filter((u) => u !== auth.user_id);
    if (others.length && spec.requiresAuth) block("tool_call.customer.one_per_conversation", `conversation already touched other customers: ${others.join(", ")}`, MSG.otherCustomer);
  }
  if (spec.userArg) {
    const u = args[spec.userArg];
    if (auth && u !== undefined && String(u) !== auth.user_id) block("tool_call.customer.other_user", `${spec.userArg}=${String(u)} is not the authenticated customer`, MSG.otherCustomer);
  }

  let order: OrderFact | undefined;
  if (spec.order) {
    const orderId = args[spec.order.arg];
    order = typeof orderId === "string" ? ctx.orders[orderId] : undefined;
    if (typeof orderId !== "string" || orderId === "") block("tool_call.args.order_id", `${call.name} needs ${spec.order.arg}`);
    else if (auth && ctx.customer_orders && !ctx.customer_orders.includes(orderId)) {
      // The profile lists the customer's orders: anything else is refused before the tool runs, so
      // not even a read reveals another customer's order.
      block("tool_call.order.not_owned", `${orderId} is not an order of ${auth.user_id}`, MSG.notOwned(orderId));
    } else if (!order) {
      // A read can go ahead (its result reveals the owner); an action needs the status checked first.
      if (spec.consequential) block("tool_call.order.unknown", `order ${orderId} has not been looked up in this conversation, so its owner and status are unknown`, MSG.unknownOrder(orderId));
    } else {
      if (auth && order.user_id !== auth.user_id) block("tool_call.order.not_owned", `order ${orderId} belongs to another customer`, MSG.notOwned(orderId));
      else if (spec.order.statuses !== "*" && !spec.order.statuses.includes(order.status))
        block("tool_call.order.status", `order ${orderId} is ${order.status}; ${call.name} needs ${spec.order.statuses.join("/")}`, MSG.status(orderId, order.status, spec.order.statuses));
    }
  }

  for (const [arg, allowed] of Object.entries(spec.enums ?? {})) {
    const v = args[arg];
    if (typeof v !== "string" || !allowed.includes(v))
      block(`tool_call.args.${arg}`, `${arg} must be one of: ${allowed.join(", ")} (got ${JSON.stringify(v)})`, `The ${arg} has to be one of: ${allowed.join(", ")}.`);
  }

  if (spec.itemsArg && order) {
    const items = ids(args[spec.itemsArg]);
    // With the full line list, an item may be named only as many times as it was bought.
    const available = [...(order.item_ids ?? Object.keys(order.items))];
    const missing: string[] = [];
    for (const i of items) {
      const at = available.indexOf(i);
      if (at < 0) missing.push(i);
      else available.splice(at, 1);
    }
    const orderId = String(args[spec.order!.arg]);
    if (items.length === 0) block(`tool_call.args.${spec.itemsArg}`, `${spec.itemsArg} is empty`);
    else if ((order.item_ids?.length || Object.keys(order.items).length) && missing.length)
      block("tool_call.order.items", `items ${missing.join(", ")} are not (or not that many times) in order ${orderId}`, `Item ${missing[0]} isn't in order ${orderId}.`);
    if (spec.newItemsArg && args[spec.newItemsArg] !== undefined && ids(args[spec.newItemsArg]).length !== items.length)
      block(`tool_call.args.${spec.newItemsArg}`, `${spec.itemsArg} and ${spec.newItemsArg} differ in length`, "Each item to change needs exactly one replacement.");
  }

  if (spec.payment) {
    const pm = args[spec.payment.arg];
    const method = typeof pm === "string" ? ctx.payment_methods[pm] : undefined;
    if (typeof pm !== "string" || !method) block("tool_call.payment.not_own", `payment method ${JSON.stringify(pm)} is not one of the customer's`, "That payment method isn't on your account.");
    else if (spec.payment.rule === "refund_destination" && order && !order.payment_method_ids.includes(pm) && method.source !== "gift_card")
      block("tool_call.refund.destination", `refunds go to the original payment method or an existing gift card, not ${pm}`, "Refunds can go back to the original payment method or to an existing gift card.");
    else if (spec.payment.rule === "different_own_covering_total" && order) {
      if (order.payment_method_ids.includes(pm)) block("tool_call.payment.same", `${pm} is already the order's payment method`, "That's already the payment method on this order.");
      else if (method.source === "gift_card" && (method.balance ?? 0) < (order.total ?? Infinity))
        block("tool_call.payment.insufficient_balance", `gift card ${pm} balance ${method.balance ?? 0} does not cover ${order.total}`, "That gift card's balance doesn't cover the order total.");
    }
  }

  if (spec.consequential) {
    const p = ctx.last_proposal;
    const listed = (p && p.name === call.name && sameArgs(p.args ?? {}, args)) || listedIn(ctx.listed_text, args, order);
    if (!listed)
      block("tool_call.confirmation.not_listed", `the exact details of ${call.name} were not listed to the customer before this call`, MSG.confirm);
    else if (!ctx.user_confirmed) block("tool_call.confirmation.missing", `no explicit "yes" after the details of ${call.name} were listed`, MSG.confirm);
  }

  let fixedCall = call;
  let policyVersion: string | undefined;
  const amounts = spec.amounts?.(args, order) ?? {};
  const refund = amounts.refund_amount;
  if (
    !verdicts.some((v) => v.action === "block") &&
    spec.kind === "refund" &&
    opts.refundApprovalAbove !== undefined &&
    Number.isFinite(refund) &&
    refund! > opts.refundApprovalAbove &&
    !["manager", "admin"].includes(ctx.caller.role) &&
    !ctx.approvals.includes("tool_call.refund.approval_above")
  ) {
    verdicts.push(
      applyConfiguredAction(
        {
          action: "escalate",
          rail: "tool_call",
          rule_id: "tool_call.refund.approval_above",
          reason: `refund ${refund!.toFixed(2)} exceeds ${opts.refundApprovalAbove}`,
          user_message: `A refund of $${refund!.toFixed(2)} needs a manager's approval.`,
          values: { refund_amount: Math.round(refund! * 100) / 100, threshold: opts.refundApprovalAbove },
          severity: "high",
        },
        opts.config?.actions,
      ),
    );
  }
  if (!verdicts.some((v) => v.action === "block") && opts.policies && spec.kind !== "none") {
    const action: Record<string, unknown> = { kind: spec.kind, tool: call.name };
    for (const [k, v] of Object.entries(amounts)) if (Number.isFinite(v)) action[k] = v;
    const facts: Facts = {
      caller: ctx.caller,
      action,
      approvals: ctx.approvals,
      ...(ctx.customer ? { customer: ctx.customer } : {}),
    };
    const evaluation = opts.policies("tool_call", facts);
    policyVersion = evaluation.version;
    for (const v of evaluation.verdicts) verdicts.push(applyConfiguredAction({ ...v, rail: "tool_call" }, opts.config?.actions));
    if (Object.keys(evaluation.fixes).length && verdicts.every((v) => v.action === "fix" || v.action === "allow")) {
      fixedCall = { name: call.name, args: { ...args, ...evaluation.fixes } };
    }
  }
  const result = combine(verdicts);
  return { ...result, call: result.action === "fix" ? fixedCall : call, policy_version: policyVersion };
}
