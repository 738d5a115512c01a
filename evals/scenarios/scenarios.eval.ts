/**
 * Scenario evals: scripted multi-turn conversations, at least one per intent, through Aisle's
 * compiled graph on the embedded model and a real seeded database. Each scenario is scored on the
 * routed intent, the tools called (and not called), the final database state and the last reply.
 * Runs locally; with LANGSMITH_API_KEY set, each case, its outputs and its score go to LangSmith.
 */
import * as ls from "langsmith/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { AIMessage } from "@langchain/core/messages";
import { createTestDatabase, type TestDatabase } from "../../test/support/db.ts";
import { createAisleRuntime, DURABILITY, type AisleRuntime } from "../../graphs/runtime.ts";
import type { AisleStateValue } from "../../graphs/state.ts";
import { SCENARIOS, type Scenario } from "./scenarios.ts";
import { writeEvalResults, type EvalCaseResult } from "../report.ts";

let db: TestDatabase;
let runtime: AisleRuntime;
const results: EvalCaseResult[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  runtime = await createAisleRuntime({ pool: db.pool, llm: null });
});
afterAll(async () => {
  writeEvalResults("scenarios", results, { pass_rate: results.filter((r) => r.passed).length / results.length });
  await runtime?.close();
  await db?.drop();
});

async function play(s: Scenario) {
  const threadId = `eval-${s.id}`;
  const intents: string[] = [];
  let state: AisleStateValue | undefined;
  for (const text of s.script) {
    state = (await runtime.graph.invoke({ messages: [{ role: "user", content: text }] } as never, {
      configurable: { thread_id: threadId, caller: s.caller ?? { role: "customer" } },
      durability: DURABILITY,
    })) as AisleStateValue;
    if (state.route) intents.push(state.route.intent);
  }
  const called = state!.messages.flatMap((m) => (AIMessage.isInstance(m) ? (m.tool_calls ?? []).map((c) => c.name) : []));
  // A call governance withdrew never ran: count only calls that got a successful tool answer.
  const ran = new Set(
    state!.messages.filter((m) => m.getType() === "tool" && !String(m.content).startsWith("Not done")).map((m) => (m as unknown as { name: string }).name),
  );
  return { intents, called, ran: [...ran], reply: state!.reply ?? "" };
}

ls.describe(
  "scenarios",
  () => {
    ls.test.each(SCENARIOS.map((s) => ({ id: s.id, inputs: { script: s.script, caller: s.caller ?? null } as Record<string, unknown>, referenceOutputs: { intent: s.intent, tools: s.tools ?? [] } })))(
      "scenario",
      async ({ inputs }) => {
        const s = SCENARIOS.find((x) => x.script === inputs.script)!;
        const out = await play(s);
        const problems: string[] = [];
        if (!out.intents.includes(s.intent)) problems.push(`routed ${out.intents.join(" → ")}, expected ${s.intent}`);
        for (const t of s.tools ?? []) if (!out.ran.includes(t)) problems.push(`${t} did not run`);
        for (const t of s.forbidden ?? []) if (out.ran.includes(t)) problems.push(`${t} ran but must not`);
        if (s.db) {
          const { rows } = await db.pool.query(s.db.sql, s.db.params);
          const got = rows[0] ? Object.values(rows[0])[0] : undefined;
          if (got !== s.db.equals) problems.push(`database: ${JSON.stringify(got)}, expected ${JSON.stringify(s.db.equals)}`);
        }
        if (s.reply && !s.reply.test(out.reply)) problems.push(`reply "${out.reply.slice(0, 120)}" does not match ${s.reply}`);
        results.push({ id: s.id, passed: problems.length === 0, detail: problems.join("; ") || undefined });
        ls.logOutputs({ intents: out.intents, tools: out.ran, reply: out.reply });
        ls.logFeedback({ key: "passed", score: problems.length ? 0 : 1 });
      },
    );
  },
  { enableTestTracking: Boolean(process.env.LANGSMITH_API_KEY), testSuiteName: "aisle-scenarios" },
);

test("scenario pass rate stays at or above the floor", () => {
  const passed = results.filter((r) => r.passed).length;
  expect(results.length).toBe(SCENARIOS.length);
  // Floor: every scenario but one (the embedded model's dialogue is deterministic; a regression shows up here).
  expect(passed, results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.detail}`).join("\n")).toBeGreaterThanOrEqual(SCENARIOS.length - 1);
});
