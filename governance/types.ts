import { z } from "zod";

/**
 * What a rail decided. Ordered by how far it departs from "let it through"; when several rails fire,
 * the strongest wins (see `strongest`). Escalate outranks block: a human seeing a case is the safe
 * default when one rail wants to stop it and another wants a manager.
 */
export const VerdictAction = z.enum(["allow", "redact", "fix", "block", "escalate"]);
export type VerdictAction = z.infer<typeof VerdictAction>;
export const ACTION_RANK: Record<VerdictAction, number> = { allow: 0, redact: 1, fix: 2, block: 3, escalate: 4 };

export const RailName = z.enum(["input", "tool_data", "tool_call", "output", "policy"]);
export type RailName = z.infer<typeof RailName>;

export const Verdict = z.object({
  action: VerdictAction,
  rail: RailName,
  /** Stable id, e.g. `input.injection.override` or a policy rule id; recorded in audit and metrics. */
  rule_id: z.string(),
  /** Why, for operators and the agent (may name internals; never shown to the customer). */
  reason: z.string(),
  /** What the customer may be told. */
  user_message: z.string().optional(),
  /** The corrected text or arguments when action is `redact` or `fix`. */
  fixed: z.unknown().optional(),
  /** Values a policy rule computed (e.g. the cap that applied, the refund amount). */
  values: z.record(z.string(), z.unknown()).optional(),
  severity: z.enum(["low", "medium", "high", "critical"]).optional(),
});
export type Verdict = z.infer<typeof Verdict>;

/** The combined outcome of one rail pass: the strongest action plus every verdict that fired. */
export const RailResult = z.object({
  action: VerdictAction,
  verdicts: z.array(Verdict),
  /** Text after redaction/fixes (input and output rails); equal to the input when nothing changed. */
  text: z.string().optional(),
  /** Customer-facing message for block/escalate (first one that has one). */
  user_message: z.string().optional(),
});
export type RailResult = z.infer<typeof RailResult>;

export const CallerRole = z.enum(["customer", "associate", "manager", "admin", "ml"]);
export type CallerRole = z.infer<typeof CallerRole>;

export const Caller = z.object({
  role: CallerRole,
  customer_id: z.string().optional(),
  store_id: z.string().optional(),
});
export type Caller = z.infer<typeof Caller>;

export const OrderFact = z.object({
  user_id: z.string(),
  status: z.string(),
  total: z.number().optional(),
  /** Payment methods that paid for the order (τ-bench `payment_history` of type payment). */
  payment_method_ids: z.array(z.string()).default([]),
  /** Item id → price paid, so refund amounts of partial returns can be computed. */
  items: z.record(z.string(), z.number()).default({}),
  /** Every line item's id in order, duplicates kept (an item bought twice can be returned twice, not three times). */
  item_ids: z.array(z.string()).optional(),
  /** Item id → product name, so a listing that named "Electric Toothbrush" counts as naming its item. */
  item_names: z.record(z.string(), z.string()).optional(),
});
export type OrderFact = z.infer<typeof OrderFact>;

export const PaymentMethodFact = z.object({
  source: z.enum(["gift_card", "credit_card", "paypal", "other"]),
  balance: z.number().optional(),
});
export type PaymentMethodFact = z.infer<typeof PaymentMethodFact>;

export const ProposedToolCall = z.object({
  name: z.string(),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type ProposedToolCall = z.infer<typeof ProposedToolCall>;

/**
 * Everything the tool-call rails need, filled by the graph from its state (never from the model).
 * Facts are what tools returned this conversation; missing facts make consequential actions fail
 * closed (e.g. an order whose status is unknown cannot be cancelled).
 */
export const ToolCallContext = z.object({
  caller: Caller,
  /** The customer this conversation is about, once authenticated, and how. */
  authenticated: z
    .object({ user_id: z.string(), method: z.enum(["email", "name_zip", "api_key"]) })
    .nullish(),
  /** Every distinct customer id any tool call/result in this conversation touched (one customer per conversation). */
  customers_seen: z.array(z.string()).default([]),
  orders: z.record(z.string(), OrderFact).default({}),
  /** The authenticated customer's payment methods (id → kind, balance). */
  payment_methods: z.record(z.string(), PaymentMethodFact).default({}),
  /** The last action whose details were listed to the user, awaiting "yes". */
  last_proposal: ProposedToolCall.nullish(),
  /** Whether the latest user message is an explicit confirmation (see `isExplicitConfirmation`). */
  user_confirmed: z.boolean().default(false),
  /**
   * What the assistant said just before the user's "yes" (an LLM may list the details itself): the
   * call counts as listed when this text names every detail of it (order id, reason, items, address).
   */
  listed_text: z.string().optional(),
  /** The authenticated customer's own order ids (their profile): any other order is refused before a tool runs. */
  customer_orders: z.array(z.string()).optional(),
  /** Tools bound to the agent that proposed the call; anything else is refused (absent: no restriction). */
  bound_tools: z.array(z.string()).optional(),
  /** Rule ids a manager has approved for this exact call (set when an escalation is resumed). */
  approvals: z.array(z.string()).default([]),
  /** Customer facts for business rules (tier, state, last promo use …); passed through to policy facts. */
  customer: z.record(z.string(), z.unknown()).optional(),
});
export type ToolCallContext = z.input<typeof ToolCallContext>;
export type ToolCallContextParsed = z.output<typeof ToolCallContext>;

/** What the output rail needs to know about the turn. */
export const OutputContext = z.object({
  /** The authenticated customer's own identifiers: their PII may be shown back to them. */
  own: z
    .object({
      emails: z.array(z.string()).default([]),
      phones: z.array(z.string()).default([]),
      card_last4: z.array(z.string()).default([]),
      addresses: z.array(z.string()).default([]),
      names: z.array(z.string()).default([]),
    })
    .partial()
    .default({}),
  /** Facts the reply may claim: stock per item/product name, order statuses… (see output rail). */
  stock: z.record(z.string(), z.number()).default({}),
  /** Discounts the policy engine granted this turn, in percent (0 when none). */
  granted_discount_pct: z.number().default(0),
  /** Effects from the policy engine (e.g. free_expedited_shipping) the reply may mention. */
  effects: z.array(z.string()).default([]),
});
export type OutputContext = z.input<typeof OutputContext>;

export function strongest(verdicts: readonly Verdict[]): VerdictAction {
  let best: VerdictAction = "allow";
  for (const v of verdicts) if (ACTION_RANK[v.action] > ACTION_RANK[best]) best = v.action;
  return best;
}

export function combine(verdicts: Verdict[], text?: string): RailResult {
  const action = strongest(verdicts);
  const top = verdicts.find((v) => v.action === action && v.user_message);
  return { action, verdicts, text, user_message: top?.user_message };
}
