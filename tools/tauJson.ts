import { pyDumps } from "./pythonJson.ts";

/** Keys whose values τ-bench holds as Python floats (prices and money amounts). */
export const TAU_FLOAT_KEYS: ReadonlySet<string> = new Set(["price", "amount", "exchange_price_difference"]);

/** A τ-bench record as upstream's `json.dumps(record)` writes it. */
export const dumpRecord = (record: unknown): string => pyDumps(record, { floatKeys: TAU_FLOAT_KEYS });
