import { z } from "zod";
import { AGENTS, INTENTS, type Agent as RouterAgent, type Intent as RouterIntent } from "../models/router/intents.ts";
import { MessagesValue, ReducedValue, StateSchema } from "@langchain/langgraph";

/**
 * The state of one Aisle conversation (one LangGraph thread). Every field says how updates merge:
 * a plain zod schema is "last write wins"; `ReducedValue` fields name their reducer. Fields marked
 * "per turn" are reset by dataPrep at the start of each turn (the turn number rises and reducers
 * drop entries of older turns), so a checkpoint holds the whole conversation but traces stay small.
 */

export const Role = z.enum(["customer", "associate", "manager", "admin", "ml"]);
export type Role = z.infer<typeof Role>;

/** Who is talking to Aisle. Set by the server from the API key (config.configurable.caller). */
export const Caller = z.object({
  role: Role,
  customer_id: z.string().optional(),
  store_id: z.string().optional(),
});
export type Caller = z.infer<typeof Caller>;

// One label set for the whole of Aisle: the router model's (its order is the weight-matrix order).
export const Intent = INTENTS;
export type Intent = RouterIntent;

export const AgentName = AGENTS;
export type AgentName = RouterAgent;

export const Tier = z.enum(["local", "llm"]);
export type Tier = z.infer<typeof Tier>;

export const Address = z.object({
  address1: z.string(),
  address2: z.string(),
  city: z.string(),
  state: z.string(),
  country: z.string(),
  zip: z.string(),
});
export type Address = z.infer<typeof Address>;

export const PaymentMention = z.enum(["gift_card", "paypal", "credit_card", "original"]);

/** What dataPrep found in one user message (catalogue-aware; ids normalised). */
export const Entities = z.object({
  order_ids: z.array(z.string()).default([]),
  emails: z.array(z.string()).default([]),
  user_ids: z.array(z.string()).default([]),
  /** τ-bench item ids (10 digits) named in the message. */
  item_ids: z.array(z.string()).default([]),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  zip: z.string().optional(),
  store_ids: z.array(z.string()).default([]),
  /** Catalogue products named in the message (matched against product names). */
  products: z.array(z.object({ product_id: z.string(), name: z.string() })).default([]),
  /** Option values named in the message, keyed by option name (colour, size, material…). */
  options: z.record(z.string(), z.string()).default({}),
  quantity: z.number().optional(),
  payment: z.array(PaymentMention).default([]),
  card_last_four: z.string().optional(),
  cancel_reason: z.enum(["no longer needed", "ordered by mistake"]).optional(),
  address: Address.optional(),
  discount_pct: z.number().optional(),
  /** "all items" / "everything" in the message. */
  all_items: z.boolean().default(false),
  /** Explicit yes / no (only whole-message confirmations count). */
  confirmation: z.enum(["yes", "no"]).optional(),
  /** Which part of a pending order the user wants changed (modify_order). */
  modify_target: z.enum(["address", "payment", "items"]).optional(),
});
export type Entities = z.infer<typeof Entities>;

/** Conversation slots: entities merged over turns (newest non-empty value wins). */
export function mergeEntities(current: Entities, next: Partial<Entities>): Entities {
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === "object" && !Array.isArray(v) && v && Object.keys(v).length === 0) continue;
    if (k === "options") out.options = { ...current.options, ...(v as Record<string, string>) };
    else out[k] = v;
  }
  // A confirmation belongs to one message only; it never carries into the slots of a later turn.
  out.confirmation = next.confirmation;
  return Entities.parse(out);
}

export const Route = z.object({
  intent: Intent,
  confidence: z.number(),
  agent: AgentName,
  /** Tier the router asked for. */
  tier: Tier,
  /** Tier that actually ran (the LLM tier falls back to local when no LLM is configured). */
  tier_used: Tier,
  reason: z.string(),
  router_version: z.string(),
  /** The intent was carried over from the previous turn (a yes/no or a slot answer). */
  carried: z.boolean().default(false),
  needs_clarification: z.boolean().default(false),
});
export type Route = z.infer<typeof Route>;

/** The authenticated customer: set only from a successful lookup tool result, never from input. */
export const Authenticated = z.object({
  user_id: z.string(),
  method: z.enum(["email", "name_zip"]),
  turn: z.number(),
});
export type Authenticated = z.infer<typeof Authenticated>;

/**
 * The compact context contextStitch and the tools node build from tool results: parsed τ-bench
 * records keyed by id, plus retail-plane facts. Merged by key, newest wins, so a tool result that
 * changes an order (cancel, return…) replaces the stale copy.
 */
const stitchedFields = {
  customer: z.record(z.string(), z.unknown()).nullable(),
  loyalty: z.record(z.string(), z.unknown()).nullable(),
  orders: z.record(z.string(), z.record(z.string(), z.unknown())),
  products: z.record(z.string(), z.record(z.string(), z.unknown())),
  stock: z.unknown().nullable(),
  stores: z.unknown().nullable(),
  promotions: z.unknown().nullable(),
  shipping: z.unknown().nullable(),
  /** Customer ids any tool result in this conversation belonged to (one customer per conversation). */
  customers_seen: z.array(z.string()),
  /** Which fetches ran this turn and how long each took (ms). */
  fetched: z.record(z.string(), z.number()),
};
export const StitchedContext = z.object(stitchedFields);
/** An update names only the keys it changes (no defaults: an absent key must stay absent). */
export const StitchedContextUpdate = z.object(stitchedFields).partial();
export const EMPTY_CONTEXT: z.infer<typeof StitchedContext> = {
  customer: null,
  loyalty: null,
  orders: {},
  products: {},
  stock: null,
  stores: null,
  promotions: null,
  shipping: null,
  customers_seen: [],
  fetched: {},
};
export type StitchedContext = z.infer<typeof StitchedContext>;

export function mergeContext(current: StitchedContext, next: Partial<StitchedContext>): StitchedContext {
  return {
    customer: next.customer !== undefined ? next.customer : current.customer,
    loyalty: next.loyalty !== undefined ? next.loyalty : current.loyalty,
    orders: { ...current.orders, ...(next.orders ?? {}) },
    products: { ...current.products, ...(next.products ?? {}) },
    stock: next.stock !== undefined ? next.stock : current.stock,
    stores: next.stores !== undefined ? next.stores : current.stores,
    promotions: next.promotions !== undefined ? next.promotions : current.promotions,
    shipping: next.shipping !== undefined ? next.shipping : current.shipping,
    customers_seen: [...new Set([...current.customers_seen, ...(next.customers_seen ?? [])])],
    fetched: next.fetched ?? current.fetched,
  };
}

export const ToolCallProposal = z.object({
  tool: z.string(),
  args: z.record(z.string(), z.unknown()),
});
export type ToolCallProposal = z.infer<typeof ToolCallProposal>;

/** An action whose details were listed to the customer and awaits an explicit "yes". */
export const PendingAction = ToolCallProposal.extend({
  intent: Intent,
  listed_turn: z.number(),
  summary: z.string(),
});
export type PendingAction = z.infer<typeof PendingAction>;

export const VerdictKind = z.enum(["allow", "fix", "block", "escalate", "confirm", "redact"]);

/** A governance decision on one proposed tool call or on the reply (per turn). */
export const VerdictRecord = z.object({
  turn: z.number(),
  stage: z.enum(["input", "tool_call", "tool_data", "output"]),
  tool_call_id: z.string().optional(),
  tool: z.string().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  verdict: VerdictKind,
  rule: z.string(),
  reason: z.string(),
  /** Arguments after a `fix` (e.g. a discount capped by policy). */
  fixed_args: z.record(z.string(), z.unknown()).optional(),
  /** Set when an escalation was resumed: who decided and what. */
  decision: z.object({ approved: z.boolean(), by: z.string().optional(), note: z.string().optional() }).optional(),
});
export type VerdictRecord = z.infer<typeof VerdictRecord>;

/** A business-rule outcome the policy node derived for this turn. */
export const PolicyEffect = z.object({
  rule: z.string(),
  effect: z.string(),
  value: z.unknown().optional(),
  description: z.string(),
});
export type PolicyEffect = z.infer<typeof PolicyEffect>;

export const PolicyOutcome = z.object({
  turn: z.number(),
  version: z.string(),
  effects: z.array(PolicyEffect),
  /** Rule evaluation failed: consequential actions are refused (fail closed). */
  failed_closed: z.boolean().default(false),
});
export type PolicyOutcome = z.infer<typeof PolicyOutcome>;

/** One node execution, recorded by the monitoring wrapper (see graphs/monitoring.ts). */
export const NodeTiming = z.object({
  turn: z.number(),
  node: z.string(),
  ms: z.number(),
  outcome: z.string(),
  tokens_in: z.number().default(0),
  tokens_out: z.number().default(0),
  cost_usd: z.number().default(0),
  tier: Tier.optional(),
});
export type NodeTiming = z.infer<typeof NodeTiming>;

/** Append entries of the current turn; entries of earlier turns are dropped when a new turn starts. */
function perTurn<T extends { turn: number }>(current: T[], next: T[]): T[] {
  if (next.length === 0) return current;
  const turn = Math.max(...next.map((e) => e.turn));
  return [...current.filter((e) => e.turn >= turn), ...next];
}

export const AisleState = new StateSchema({
  /** The conversation (user, assistant, tool messages); the standard add-messages reducer. */
  messages: MessagesValue,
  /** Turn counter, incremented by dataPrep. */
  turn: z.number().default(0),
  /** Who is calling (copied from config.configurable.caller each turn; never from input). */
  caller: Caller.nullable().default(null),
  /** Normalised text of this turn's user message (per turn). */
  input: z.object({ text: z.string(), truncated: z.boolean(), removed_chars: z.number() }).nullable().default(null),
  /** Entities found in this turn's message (per turn). */
  entities: Entities.default(Entities.parse({})),
  /** Entities merged over the conversation. */
  slots: new ReducedValue(Entities.default(Entities.parse({})), {
    inputSchema: Entities.partial(),
    reducer: mergeEntities,
  }),
  authenticated: Authenticated.nullable().default(null),
  /** Intent, agent and tier of this turn. */
  route: Route.nullable().default(null),
  context: new ReducedValue(StitchedContext.default(EMPTY_CONTEXT), {
    inputSchema: StitchedContextUpdate,
    reducer: mergeContext,
  }),
  /** The consequential action listed to the customer and awaiting "yes" (cleared once acted on). */
  pending_action: PendingAction.nullable().default(null),
  /** Governance verdicts on tool calls and replies (per turn). */
  verdicts: new ReducedValue(z.array(VerdictRecord).default(() => []), {
    inputSchema: z.array(VerdictRecord),
    reducer: perTurn,
  }),
  /** Business-rule effects for this turn. */
  policy_outcome: PolicyOutcome.nullable().default(null),
  /** Per-node latency/tokens/cost of this turn. */
  timings: new ReducedValue(z.array(NodeTiming).default(() => []), {
    inputSchema: z.array(NodeTiming),
    reducer: perTurn,
  }),
  /** The reply sent to the caller this turn (after output rails). */
  reply: z.string().nullable().default(null),
  /** Set when the conversation was handed to a human agent. */
  handoff: z.object({ summary: z.string(), turn: z.number() }).nullable().default(null),
});

export type AisleStateValue = typeof AisleState.State;
export type AisleUpdate = typeof AisleState.Update;

/** What a caller may send as graph input: messages only (everything else is derived). */
export const AisleInput = new StateSchema({ messages: MessagesValue });
