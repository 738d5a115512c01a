import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";
import { previousAssistantText } from "./conversation.ts";
import type { AgentName, AisleStateValue, AisleUpdate, Entities, Intent, Route, Tier } from "../graphs/state.ts";
import { ensureConfiguration } from "../graphs/configuration.ts";
import type { EntityHints } from "../models/router/index.ts";
import { AGENT_BY_INTENT } from "../models/router/intents.ts";

/**
 * Router: which intent, which agent, which model tier. The classifier sits behind `IntentRouter`
 * (models/router's trained router implements it); this node adds what only the conversation
 * knows — a bare "yes"/"no" or a slot answer ("it's #W1234567") continues the previous request.
 */

export interface RouteDecisionLike {
  intent: Intent;
  confidence: number;
  agent: AgentName;
  tier: Tier;
  reason?: string;
  version: string;
  needsClarification?: boolean;
}

export interface IntentRouter {
  readonly version: string;
  route(text: string, hints?: EntityHints): RouteDecisionLike;
}

export { AGENT_BY_INTENT };

/**
 * A keyword router used until (or when not) the trained router is available: ordered rules, first
 * match wins. Honest but crude — confidence is a fixed 0.6 for a match and 0.3 otherwise.
 */
const KEYWORD_RULES: [Intent, RegExp][] = [
  ["human_agent", /\b(?:human|real person|representative|live agent|speak to (?:someone|a person|an agent)|talk to (?:someone|a person|an agent)|supervisor|manager)\b/i],
  ["cancel_order", /\bcancel/i],
  ["exchange_request", /\b(?:exchange|swap)\b/i],
  ["return_request", /\breturn(?!ing customer)/i],
  ["refund_status", /\brefund/i],
  ["account_update", /\b(?:my|account|default|profile)\b.*\baddress\b.*\b(?:change|update)|\b(?:change|update)\b.*\b(?:my|account|default|profile) address/i],
  ["modify_order", /\b(?:change|modify|update|switch)\b.*\b(?:order|address|payment|size|colou?r|item)/i],
  ["order_status", /\b(?:where is|status|track|tracking|shipped|arrive|delivery of my|my order)\b/i],
  ["stock_check", /\b(?:in stock|stock|available at|availability|have any|carry|do you have)\b/i],
  ["loyalty", /\b(?:loyalty|points|tier|member(?:ship)?|gold|platinum|silver)\b/i],
  ["promotions", /\b(?:promo|promotion|coupon|discount|deal|sale|% off|percent off)\b/i],
  ["shipping_info", /\b(?:shipping|ship|expedited|delivery options?|overnight)\b/i],
  ["store_info", /\b(?:store hours|open|opening|closing|location|where is (?:the|your) store|nearest store|store)\b/i],
  ["policy_question", /\b(?:policy|can i return|how (?:do|does|long)|allowed to)\b/i],
  ["product_info", /\b(?:price|how much|options|colou?rs?|sizes?|specs?|details about|tell me about)\b/i],
  ["greeting", /^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening)|thanks|thank you)\b/i],
];

export class KeywordRouter implements IntentRouter {
  readonly version = "keyword-0";
  route(text: string): RouteDecisionLike {
    for (const [intent, re] of KEYWORD_RULES) {
      if (re.test(text)) return { intent, confidence: 0.6, agent: AGENT_BY_INTENT[intent], tier: "local", reason: `keyword ${intent}`, version: this.version };
    }
    return { intent: "out_of_scope", confidence: 0.3, agent: "info", tier: "local", reason: "no keyword matched", version: this.version, needsClarification: true };
  }
}

/** The message mostly answers the previous question (identity, order id, reason, items…). */
// An answer that picks from the list the last reply showed: "the second one", "the first one, it
// doesn't fit", "item 2", "1 and 3", "both", "all of them".
const PICKS_FROM_LIST =
  /^\s*(?:(?:ok(?:ay)?|um+|uh+|hmm+|yeah|yes|so|well)[\s,]+)?(?:the\s+)?(?:(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b(?!\s+name)|both\b|all of them\b|(?:item|number|no\.?)\s*[1-9]\b|#\s*[1-9]\b|[1-9](?:\s*(?:,|and|&)\s*[1-9])*\s*[.!]?\s*$)/i;

/**
 * A few words right after the assistant asked something ("A5 please", "the blue", "hard cover"):
 * an answer to that question, whatever a classifier makes of the words on their own. Option values
 * too short to be entities ("A5", "M", "8") arrive this way.
 */
export function shortAnswerToQuestion(text: string, messages: BaseMessage[]): boolean {
  // The reply asked something ("What would you like instead…? Available options: …").
  return text.trim().split(/\s+/).length <= 4 && previousAssistantText(messages).includes("?");
}

function isSlotAnswer(e: Entities, text = ""): boolean {
  if (PICKS_FROM_LIST.test(text)) return true;
  return (
    e.order_ids.length > 0 ||
    e.emails.length > 0 ||
    e.item_ids.length > 0 ||
    (!!e.first_name && !!e.zip) ||
    !!e.zip ||
    !!e.cancel_reason ||
    !!e.address ||
    e.payment.length > 0 ||
    e.products.length > 0 ||
    Object.keys(e.options).length > 0 ||
    e.all_items
  );
}

const keywords = new KeywordRouter();

/**
 * The message names a request of its own ("cancel #W…", "what about my return") rather than just
 * answering the previous question ("my email is …", "#W1234567", "the blue one").
 */
function namesNewRequest(text: string, previous: Intent): boolean {
  const k = keywords.route(text);
  return k.confidence >= 0.6 && k.intent !== previous && NEW_REQUEST.has(k.intent);
}

/** Intents whose keywords mark a new request even inside a slot answer ("refund to my card" does not). */
const NEW_REQUEST: ReadonlySet<Intent> = new Set(["cancel_order", "return_request", "exchange_request", "modify_order", "human_agent"]);

/** Intents close enough that a slot answer for one often reads like the other ("refund it to my gift card" in a return). */
const FAMILY: Partial<Record<Intent, string>> = {
  return_request: "money_back",
  refund_status: "money_back",
  exchange_request: "item_change",
  modify_order: "item_change",
  stock_check: "product",
  product_info: "product",
};

/**
 * The message is a question of its own that the classifier is confident about, in a different line
 * of business than the open request ("what's the status of order #W…?" after "my email is …"):
 * a new request, whatever slot values it also carries. Slot answers are statements.
 */
function asksNewQuestion(text: string, decision: RouteDecisionLike, previous: Intent): boolean {
  if (decision.confidence < 0.8 || decision.needsClarification) return false;
  // "what about at store 8?", "how about in black" ask the same thing again about something else.
  if (/^\s*(?:(?:ok(?:ay)?|and|so)[\s,]+)?(?:what|how) about\b/i.test(text)) return false;
  if (["greeting", "out_of_scope"].includes(decision.intent) || decision.intent === previous) return false;
  if (FAMILY[decision.intent] && FAMILY[decision.intent] === FAMILY[previous]) return false;
  return /\?\s*$/.test(text) || /^(?:what|where|when|how|why|which|who|is|are|can|could|do|does|did|has|have|will|would)\b/i.test(text.trim());
}

/** Intents that carry a request forward; a slot answer after them continues the same request. */
const CONTINUING: ReadonlySet<Intent> = new Set([
  "order_status",
  "cancel_order",
  "return_request",
  "exchange_request",
  "modify_order",
  "refund_status",
  "account_update",
  "stock_check",
  "product_info",
  "loyalty",
  "promotions",
]);

/** Requests about an order the customer named; a follow-up question keeps to that order. */
const ORDER_INTENTS: ReadonlySet<Intent> = new Set(["order_status", "cancel_order", "return_request", "exchange_request", "modify_order", "refund_status"]);
/** Requests that act on an order: a question about the order in the middle of one answers it and goes on. */
const ORDER_ACTIONS: ReadonlySet<Intent> = new Set(["cancel_order", "return_request", "exchange_request", "modify_order"]);

// "and the other one?", "what about the second order?", "same for that one" — no request of its own.
const ELLIPTIC =
  /^\s*(?:(?:and|also|ok(?:ay)?|so)\b[\s,]*)?(?:(?:what|how) about|same (?:for|with))?\s*(?:the|that|this|my)?\s*(?:other|first|second|third|last|next|previous)?\s*(?:one|order)s?\s*(?:too|then|as well)?\s*[?.!]*\s*$|\b(?:the\s+)?(?:other|first|second|third|last)\s+(?:one|order)\b/i;
// A back-reference to what the conversation is about.
const REFERS = /\b(?:it|its|that|this|them|they|those|these|both|the order|that order|this order|my order|the package|the parcel)\b/i;
// What can be asked about an order: items, payment, delivery, status.
const ORDER_FACT =
  /\b(?:items?|inside|contain\w*|contents?|what(?:'s| is| was)? in|bought|ordered|purchased|pay|paid|payment|cost|charged?|total|how much|price|amount|spent|arriv\w*|deliver\w*|shipped|track\w*|eta|get here|status|pending|processed|address)\b/i;
const QUESTION = /\?\s*$|^\s*(?:and\s+)?(?:what|where|when|how|why|which|who|is|are|can|could|do|does|did|has|have|will|was|were)\b|^\s*(?:(?:and|ok(?:ay)?|please)[\s,]+)?(?:tell|show|give|remind|list)\s+me\b/i;

/**
 * A follow-up about the order(s) already in the thread ("which items are in it?", "what did I pay
 * for it?", "when will it arrive?", "and the other one?"). These carry no intent of their own, so a
 * classifier reading the message alone sends them anywhere (out of scope, an exchange…); the
 * thread says what they are about. Returns the intent to continue with, or undefined when the
 * message is not such a follow-up (it names something new, or asks for a new request).
 */
export function followUpIntent(text: string, e: Entities, previous: Intent | undefined, focusOrders: number, decision: RouteDecisionLike): Intent | undefined {
  if (!previous || !ORDER_INTENTS.has(previous) || focusOrders === 0) return undefined;
  if (e.order_ids.length || e.emails.length || e.item_ids.length || e.products.length || e.address || e.confirmation || e.store_ids.length) return undefined;
  const k = keywords.route(text);
  if (k.confidence >= 0.6 && NEW_REQUEST.has(k.intent) && k.intent !== previous) return undefined;
  const elliptic = ELLIPTIC.test(text);
  const refers = REFERS.test(text);
  const fact = ORDER_FACT.test(text) && QUESTION.test(text);
  // The classifier is sure this is about something else entirely (a store, a product, shipping rates…).
  const ownTopic = decision.confidence >= 0.8 && !decision.needsClarification && !["out_of_scope", "greeting"].includes(decision.intent) && !ORDER_INTENTS.has(decision.intent);
  if (elliptic && !ownTopic) return previous;
  if (fact && (refers || !ownTopic)) return ORDER_ACTIONS.has(previous) ? previous : previous === "refund_status" && /refund/i.test(text) ? previous : "order_status";
  if (refers && QUESTION.test(text) && !ownTopic) return previous;
  return undefined;
}

export function createRouterNode(router: IntentRouter, llmAvailable: boolean) {
  return async function routerNode(state: AisleStateValue, config: LangGraphRunnableConfig): Promise<AisleUpdate> {
    const cfg = ensureConfiguration(config);
    const text = state.input?.text ?? "";
    const e = state.entities;
    const decision = router.route(text, {
      hasOrderId: e.order_ids.length > 0,
      hasEmail: e.emails.length > 0,
      hasProduct: e.products.length > 0,
      hasStore: e.store_ids.length > 0,
      hasWarehouse: /\bWH-\d{2}\b/i.test(text),
      hasZip: !!e.zip,
      hasItemId: e.item_ids.length > 0,
      hasMoney: /\$\s?\d/.test(text),
    });
    let intent = decision.intent;
    let carried = false;
    let reason = decision.reason ?? "";
    let confidence = decision.confidence;
    // An unsure classifier defers to an explicit keyword ("switch the payment", "cancel").
    if (decision.needsClarification || decision.confidence < 0.5) {
      const k = keywords.route(text);
      if (k.confidence >= 0.6 && k.intent !== intent) {
        reason = `classifier unsure (${decision.intent} ${decision.confidence.toFixed(2)}); keyword rule: ${k.intent}`;
        intent = k.intent;
        confidence = k.confidence;
      }
    }
    const previous = state.route;
    if (state.pending_action && e.confirmation) {
      // "yes"/"no" answers the listed action, whatever a classifier makes of a one-word message.
      intent = state.pending_action.intent;
      carried = true;
      reason = `answer to the listed ${intent} action`;
    } else if (
      previous &&
      CONTINUING.has(previous.intent) &&
      previous.intent !== decision.intent &&
      (isSlotAnswer(e, text) || shortAnswerToQuestion(text, state.messages) || (previous.intent === "stock_check" && e.store_ids.length > 0)) &&
      !namesNewRequest(text, previous.intent) &&
      !asksNewQuestion(text, decision, previous.intent)
    ) {
      intent = previous.intent;
      carried = true;
      reason = `slot answer continues ${intent} (classifier said ${decision.intent} ${decision.confidence.toFixed(2)})`;
    }
    let followUp: Intent | undefined;
    if (!carried && (followUp = followUpIntent(text, e, previous?.intent, state.slots.order_ids.length, decision)) !== undefined) {
      reason = `follow-up on the order(s) in the thread: ${followUp} (classifier said ${decision.intent} ${decision.confidence.toFixed(2)})`;
      intent = followUp;
      carried = true;
    }
    // A discount asked for in a percentage is a promotions question whatever else the words say.
    if (!carried && e.discount_pct !== undefined && intent !== "loyalty" && !NEW_REQUEST.has(keywords.route(text).intent)) {
      reason = `discount request (${reason})`;
      intent = "promotions";
    }
    let agent = carried || intent !== decision.intent ? AGENT_BY_INTENT[intent] : decision.agent;
    // Identity details on their own ("it's jo@example.com") go to an agent that can verify them.
    if (!carried && !state.authenticated && (e.emails.length > 0 || (!!e.first_name && !!e.zip)) && ["greeting", "out_of_scope"].includes(intent)) {
      intent = "greeting";
      agent = "orders";
      reason = `identity details (${reason})`;
    }
    const tier: Tier = cfg.force_tier ?? (carried ? previous?.tier ?? "local" : decision.tier);
    const route: Route = {
      intent,
      confidence: carried ? 1 : confidence,
      agent,
      tier,
      tier_used: tier === "llm" && llmAvailable ? "llm" : "local",
      reason,
      router_version: router.version,
      carried,
      needs_clarification: !carried && intent === decision.intent && !!decision.needsClarification,
    };
    // A yes/no answer keeps the listed action for this turn (governance matches a "yes" against it,
    // the reply to a "no" names it); any other message is a new request and retires it.
    const pending = state.pending_action && e.confirmation ? state.pending_action : null;
    return { route, pending_action: pending };
  };
}
