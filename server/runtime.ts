import type { BaseCheckpointSaver, StateSnapshot } from "@langchain/langgraph";
import type { RunnableConfig } from "@langchain/core/runnables";

/**
 * What the server needs from a compiled turn graph. `graphs/runtime.ts` provides Aisle's own
 * (`createAisleRuntime`); tests inject small graphs with the same shape. The server passes the
 * caller identity only as `config.configurable.caller`, set from the API key.
 */
export interface TurnGraph {
  stream(input: unknown, options?: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  getState(config: RunnableConfig, options?: { subgraphs?: boolean }): Promise<StateSnapshot>;
  getStateHistory(config: RunnableConfig, options?: Record<string, unknown>): AsyncIterableIterator<StateSnapshot>;
  updateState(config: RunnableConfig, values: unknown, asNode?: string): Promise<RunnableConfig>;
  getGraphAsync(config?: RunnableConfig): Promise<{ toJSON(): Record<string, unknown>; drawMermaid?(): string }>;
}

export interface ServedRuntime {
  graph: TurnGraph;
  checkpointer: BaseCheckpointSaver;
  close(): Promise<void>;
  /**
   * True when the graph reports every node's end to `config.configurable.onNodeEnd` (Aisle's
   * graph does, see graphs/monitoring.ts); otherwise the server times nodes from task events.
   */
  reportsNodeEvents?: boolean;
}

/** The caller identity the graph sees (`config.configurable.caller`). */
export interface GraphCaller {
  role: "customer" | "associate" | "manager" | "admin" | "ml";
  customer_id?: string;
  store_id?: string;
}

export const GRAPH_ID = "aisle";
