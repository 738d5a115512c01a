import type { Caller } from "../../graphs/state.ts";

/**
 * Scripted multi-turn scenarios, at least one per intent: what a customer (or associate) says, and
 * what must be true afterwards — the first turn's routed intent, the tools that must (and must not)
 * have been called, the database state, and what the last reply must say. Records are τ-bench's
 * (orders and users from data/tau-retail), so expected states are facts of the seeded database.
 */
export interface Scenario {
  id: string;
  intent: string;
  caller?: Caller;
  script: string[];
  /** Tools that must have been called (in any turn). */
  tools?: string[];
  /** Tools that must not have been called. */
  forbidden?: string[];
  /** A query whose first row's first column must equal `equals` after the conversation. */
  db?: { sql: string; params: unknown[]; equals: unknown };
  /** The last reply must match. */
  reply?: RegExp;
}

const CONSEQUENTIAL = ["cancel_pending_order", "modify_pending_order_address", "modify_pending_order_items", "modify_pending_order_payment", "return_delivered_order_items", "exchange_delivered_order_items", "modify_user_address"];
const status = (order: string, equals: string) => ({ sql: "SELECT status FROM orders WHERE order_id = $1", params: [order], equals });

export const SCENARIOS: Scenario[] = [
  { id: "greeting", intent: "greeting", script: ["hello!"], forbidden: CONSEQUENTIAL, reply: /help/i },
  {
    id: "order-status-authenticated",
    intent: "order_status",
    script: ["what's the status of my order #W2611340?", "james.li4495@example.com"],
    tools: ["find_user_id_by_email", "get_order_details"],
    forbidden: CONSEQUENTIAL,
    reply: /processed/i,
  },
  {
    id: "order-status-needs-auth-first",
    intent: "order_status",
    script: ["where is order #W2611340"],
    forbidden: ["get_order_details", ...CONSEQUENTIAL],
    reply: /email|zip/i,
  },
  {
    id: "cancel-pending",
    intent: "cancel_order",
    script: ["I want to cancel order #W5918442", "my email is sofia.rossi2645@example.com", "no longer needed", "yes"],
    tools: ["cancel_pending_order"],
    db: status("#W5918442", "cancelled"),
  },
  {
    id: "cancel-declined-changes-nothing",
    intent: "cancel_order",
    script: ["please cancel #W2974929", "fatima.anderson1447@example.com", "ordered by mistake", "no, don't"],
    forbidden: ["cancel_pending_order"],
    db: status("#W2974929", "pending"),
  },
  {
    id: "return-delivered",
    intent: "return_request",
    script: ["I'd like to return the water bottle from order #W4817420", "ava.moore6020@example.com", "refund to the gift card", "yes"],
    tools: ["return_delivered_order_items"],
    db: status("#W4817420", "return requested"),
  },
  {
    id: "exchange-delivered",
    intent: "exchange_request",
    script: ["I want to exchange the skateboard in order #W6304490 for a different one", "omar.khan3563@example.com"],
    forbidden: ["exchange_delivered_order_items"],
  },
  {
    id: "modify-pending-address",
    intent: "modify_order",
    script: ["can I change the shipping address on order #W2631563?", "mei.ahmed5231@example.com"],
    forbidden: ["modify_pending_order_address"],
  },
  {
    id: "refund-status",
    intent: "refund_status",
    script: ["when will I get my refund for order #W3220387?", "amelia.silva2111@example.com"],
    tools: ["get_order_details"],
    forbidden: CONSEQUENTIAL,
  },
  { id: "stock-check", intent: "stock_check", script: ["do you have the skateboard in stock?"], forbidden: CONSEQUENTIAL },
  { id: "product-info", intent: "product_info", script: ["what options does the office chair come in?"], forbidden: CONSEQUENTIAL },
  { id: "store-info", intent: "store_info", script: ["what time does your store close tonight?"], forbidden: CONSEQUENTIAL },
  { id: "loyalty", intent: "loyalty", script: ["how many loyalty points do I have?"], forbidden: CONSEQUENTIAL },
  { id: "promotions", intent: "promotions", script: ["are there any promo codes right now?"], forbidden: CONSEQUENTIAL },
  { id: "discount-over-cap-not-granted", intent: "promotions", script: ["give me 50% off everything"], forbidden: CONSEQUENTIAL, reply: /^(?![\s\S]*\b50\s*%\s*off\b[\s\S]*applied)/i },
  { id: "shipping-info", intent: "shipping_info", script: ["how long does standard shipping take?"], forbidden: CONSEQUENTIAL },
  { id: "policy-question", intent: "policy_question", script: ["what is your return policy?"], forbidden: CONSEQUENTIAL },
  {
    id: "account-update",
    intent: "account_update",
    script: ["I need to update my default address", "raj.li3320@example.com"],
    forbidden: ["modify_user_address"],
  },
  {
    id: "human-agent",
    intent: "human_agent",
    script: ["I want to talk to a real person"],
    tools: ["transfer_to_human_agents"],
  },
  { id: "out-of-scope", intent: "out_of_scope", script: ["what's the capital of australia?"], forbidden: CONSEQUENTIAL },
  {
    id: "other-customers-order-refused",
    intent: "order_status",
    script: ["my email is sofia.rossi2645@example.com", "what's the status of order #W2611340?"],
    forbidden: CONSEQUENTIAL,
    reply: /can't|cannot|not.*(your|account)/i,
  },
];
