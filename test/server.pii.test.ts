import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAisleRuntime } from "../graphs/runtime.ts";
import { startServerHarness, type ServerHarness } from "./support/serverHarness.ts";

// A Visa test number that passes the Luhn check, written the way people paste it.
const CARD = "4111 1111 1111 1111";
const DIGITS = CARD.replace(/ /g, "");

describe("a pasted full card number is masked before it is stored anywhere", () => {
  let h: ServerHarness;
  beforeAll(async () => {
    h = await startServerHarness({
      runtime: async (db) => ({ ...(await createAisleRuntime({ pool: db.pool, databaseUrl: db.url, llm: null })), reportsNodeEvents: true }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("through the SDK run API and /v1/chat: no table holds the digits afterwards", async () => {
    const client = h.client("customer");
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "aisle", {
      input: { messages: [{ role: "user", content: `please charge my card ${CARD} exp 12/29 for order #W2378156` }] },
    });
    const chat = await h.fetch("/v1/chat", {
      key: "customer",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: `my card is ${DIGITS}, is it on file?` }),
    });
    expect(chat.status).toBe(200);

    // Every text-bearing column of every table in the database, including LangGraph's
    // checkpoint tables (bytea blobs are decoded as UTF-8 text with escapes).
    const { rows: columns } = await h.db.pool.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('text', 'json', 'jsonb', 'bytea', 'ARRAY', 'character varying')`,
    );
    expect(columns.some((c) => c.table_name === "checkpoint_writes")).toBe(true);
    const hits: string[] = [];
    for (const c of columns) {
      const expr = c.data_type === "bytea" ? `encode("${c.column_name}", 'escape')` : `"${c.column_name}"::text`;
      const { rows } = await h.db.pool.query(
        `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE regexp_replace(${expr}, '[ -]', '', 'g') LIKE $1`,
        [`%${DIGITS}%`],
      );
      if (rows[0].n > 0) hits.push(`${c.table_name}.${c.column_name}`);
    }
    expect(hits).toEqual([]);
  });
});
