/**
 * Tool-result checks: what a tool returned is a fact the graph may only believe if it is about the
 * conversation's customer. An identity lookup that finds someone else (another account than the
 * caller is signed in with, or a second customer) does not authenticate anyone, and an order record
 * of another customer is withheld, so neither reaches state or a model. Pure: the tools node passes
 * the facts and acts on the verdict.
 */
import type { Caller, Verdict } from "./types.ts";

export interface ToolResultContext {
  caller: Caller;
  /** The customer authenticated so far in this conversation (including earlier calls of this step). */
  authenticated_user_id?: string;
}

const withhold = (rule_id: string, reason: string, user_message: string): Verdict => ({ action: "block", rail: "tool_data", rule_id, reason, user_message, severity: "high" });

/**
 * A `find_user_id_by_*` lookup returned `userId`: null when it may authenticate the conversation,
 * otherwise the block verdict (`protocol.caller_binding`: a customer signed in as someone else;
 * `protocol.one_customer`: another customer is already authenticated).
 */
export function checkIdentityLookup(userId: string, ctx: ToolResultContext): Verdict | null {
  const bound = ctx.caller.role === "customer" ? ctx.caller.customer_id : undefined;
  if (bound && userId !== bound)
    return withhold("protocol.caller_binding", `lookup found ${userId}; caller is bound to ${bound}`, "Those details don't match the account you're signed in with.");
  const auth = ctx.authenticated_user_id;
  if (auth && auth !== userId) return withhold("protocol.one_customer", `lookup found ${userId}; ${auth} is already authenticated`, "I can only help one customer per conversation.");
  return null;
}

/**
 * A tool returned an order record: null when it is the authenticated customer's, otherwise
 * `protocol.order_ownership` (also when nobody is authenticated yet: ownership cannot be shown).
 */
export function checkOrderResult(order: { order_id: string; user_id: string }, ctx: ToolResultContext): Verdict | null {
  if (order.user_id === ctx.authenticated_user_id) return null;
  return withhold("protocol.order_ownership", `${order.order_id} belongs to another customer`, `I can't find order ${order.order_id} on your account, so I can't help with it.`);
}
