import { z } from "zod";

/** The label set of Aisle's router. Order matters: it is the column order of the weight matrix. */
export const INTENTS = z.enum([
  "order_status",
  "cancel_order",
  "return_request",
  "exchange_request",
  "modify_order",
  "refund_status",
  "stock_check",
  "product_info",
  "store_info",
  "loyalty",
  "promotions",
  "shipping_info",
  "policy_question",
  "account_update",
  "human_agent",
  "greeting",
  "out_of_scope",
]);
export type Intent = z.infer<typeof INTENTS>;
export const INTENT_LIST: readonly Intent[] = INTENTS.options;

export const AGENTS = z.enum(["orders", "payments", "inventory", "info", "handoff"]);
export type Agent = z.infer<typeof AGENTS>;

/** Which specialist agent owns each intent (the graph dispatches on this). */
export const AGENT_BY_INTENT: Readonly<Record<Intent, Agent>> = {
  order_status: "orders",
  cancel_order: "orders",
  modify_order: "orders",
  account_update: "orders",
  loyalty: "orders",
  return_request: "payments",
  exchange_request: "payments",
  refund_status: "payments",
  stock_check: "inventory",
  product_info: "info",
  store_info: "info",
  shipping_info: "info",
  policy_question: "info",
  promotions: "info",
  greeting: "info",
  out_of_scope: "info",
  human_agent: "handoff",
};

export const agentFor = (intent: Intent): Agent => AGENT_BY_INTENT[intent];

/** A labelled utterance, the line format of every corpus file and of `aisle eval router`. */
export const LabelledUtterance = z.object({ text: z.string().min(1), intent: INTENTS });
export type LabelledUtterance = z.infer<typeof LabelledUtterance>;
