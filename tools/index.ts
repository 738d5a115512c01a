import { ToolInputParsingException } from "@langchain/core/tools";
import type { Db } from "../db/executor.ts";
import type { AisleTool } from "./defineTool.ts";
import { createCatalogueTools } from "./catalogue/tools.ts";
import { createGeneralTools } from "./general.ts";
import { createOrderTools } from "./orders/tools.ts";
import { createPaymentTools } from "./payments/tools.ts";
import { createInventoryTools } from "./inventory/index.ts";
import { createLoyaltyTools, createPromotionTools } from "./loyalty/index.ts";
import { createShippingTools } from "./shipping/index.ts";

export type { AisleTool } from "./defineTool.ts";
export { defineTool, parametersJsonSchema } from "./defineTool.ts";

/** Builds one system's tools on a database handle. */
export type ToolFactory = (db: Db) => AisleTool[];

/**
 * Every system that contributes tools. Adding a system (or swapping one for a retailer's own
 * POS/CRM adapter) is one line here.
 */
export const TOOL_FACTORIES: ToolFactory[] = [
  createOrderTools, // τ-bench CRM + order management (tools/orders)
  createPaymentTools, // τ-bench payments (tools/payments)
  createCatalogueTools, // τ-bench catalogue (tools/catalogue)
  createGeneralTools, // calculate, think, transfer_to_human_agents
  createInventoryTools, // stores, store + warehouse stock, nearest stores with stock (tools/inventory)
  createLoyaltyTools, // loyalty accounts (tools/loyalty)
  createPromotionTools, // active promotions, promotion eligibility (tools/loyalty)
  createShippingTools, // shipping options, state sales tax (tools/shipping)
];

/** Which tools each agent binds (names; tools not yet registered are simply absent). */
export const TOOL_GROUPS = {
  orders: [
    "find_user_id_by_email",
    "find_user_id_by_name_zip",
    "get_user_details",
    "get_order_details",
    "get_product_details",
    "list_all_product_types",
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_pending_order_items",
    "modify_user_address",
    "calculate",
    "think",
    "get_loyalty_account",
  ],
  payments: [
    "find_user_id_by_email",
    "find_user_id_by_name_zip",
    "get_user_details",
    "get_order_details",
    "get_product_details",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
    "calculate",
    "think",
  ],
  inventory: [
    "get_product_details",
    "list_all_product_types",
    "think",
    "get_store_stock",
    "find_nearest_stores_with_stock",
    "get_warehouse_stock",
    "get_store_details",
    "find_stores",
    "find_nearest_stores",
  ],
  info: [
    "get_product_details",
    "list_all_product_types",
    "calculate",
    "think",
    "get_store_details",
    "find_stores",
    "find_nearest_stores",
    "get_shipping_options",
    "get_sales_tax_rate",
    "list_active_promotions",
    "check_promotion_eligibility",
  ],
  handoff: ["transfer_to_human_agents"],
} satisfies Record<string, string[]>;
export type AgentName = keyof typeof TOOL_GROUPS;

/** All tools on `db`, by name. */
export function createRetailTools(db: Db): Record<string, AisleTool> {
  const out: Record<string, AisleTool> = {};
  for (const factory of TOOL_FACTORIES) for (const t of factory(db)) out[t.name] = t;
  return out;
}

/** The tools one agent binds. */
export function toolsForAgent(db: Db, agent: AgentName): AisleTool[] {
  const all = createRetailTools(db);
  return TOOL_GROUPS[agent].flatMap((n) => (all[n] ? [all[n]] : []));
}

/** Names of every registered tool (sorted). */
export function toolNames(db: Db): string[] {
  return Object.keys(createRetailTools(db)).sort();
}

/**
 * Runs one tool by name and returns its output string. Bad input (unknown tool, missing or
 * wrong-typed arguments) returns an `Error: …` string and changes nothing; only infrastructure
 * failures (e.g. the database is down) throw.
 */
export async function runTool(db: Db, name: string, args: unknown): Promise<string> {
  const t = createRetailTools(db)[name];
  if (!t) return `Error: unknown tool ${JSON.stringify(name)}`;
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return `Error: invalid arguments for ${name}: expected a JSON object of named arguments`;
  }
  try {
    const out = await t.invoke(args as Record<string, unknown>);
    return typeof out === "string" ? out : JSON.stringify(out);
  } catch (err) {
    if (err instanceof ToolInputParsingException) return `Error: invalid arguments for ${name}: ${err.message}`;
    throw err;
  }
}
