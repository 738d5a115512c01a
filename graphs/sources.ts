import type { StructuredToolInterface } from "@langchain/core/tools";

/**
 * Where contextStitch gets its facts: the retail systems' tools, read directly (no model in the
 * loop). Each source returns parsed records or null when the system has nothing (or is absent —
 * a retailer without a loyalty system simply has no loyalty facts).
 */
export interface ContextSources {
  customer(userId: string): Promise<Record<string, unknown> | null>;
  order(orderId: string): Promise<Record<string, unknown> | null>;
  product(productId: string): Promise<Record<string, unknown> | null>;
  /** Stock of a product at a store, with nearest stores and warehouses when it is out. */
  stock?(q: StockQuery): Promise<unknown | null>;
  stores?(q: { store_ids: string[]; zip?: string }): Promise<unknown | null>;
  loyalty?(userId: string): Promise<Record<string, unknown> | null>;
  promotions?(q: { user_id?: string; state?: string; tier?: string }): Promise<unknown | null>;
  shipping?(q: { state?: string; zip?: string; user_id?: string }): Promise<unknown | null>;
}

export interface StockQuery {
  product_id: string;
  product_name: string;
  options: Record<string, string>;
  store_id?: string;
  zip?: string;
}

/** Parses a tool's JSON answer; τ-bench "Error: …" strings (not found) become null. */
export async function invokeJson(tool: StructuredToolInterface | undefined, args: Record<string, unknown>): Promise<unknown | null> {
  if (!tool) return null;
  const out = await tool.invoke(args);
  const text = typeof out === "string" ? out : typeof (out as { content?: unknown })?.content === "string" ? (out as { content: string }).content : JSON.stringify(out);
  if (text.startsWith("Error")) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The sources backed by the τ-bench tools (customer, order, product). */
export function tauSources(tools: Record<string, StructuredToolInterface>): ContextSources {
  return {
    customer: async (user_id) => (await invokeJson(tools.get_user_details, { user_id })) as Record<string, unknown> | null,
    order: async (order_id) => (await invokeJson(tools.get_order_details, { order_id })) as Record<string, unknown> | null,
    product: async (product_id) => (await invokeJson(tools.get_product_details, { product_id })) as Record<string, unknown> | null,
  };
}
