import { Command } from "@langchain/langgraph";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type pg from "pg";
import { poolDb } from "../../db/executor.ts";
import { createAisleRuntime } from "../../graphs/runtime.ts";
import type { LlmSettings } from "../../models/llm/index.ts";
import type { AisleStateValue } from "../../graphs/state.ts";
import { canonicalHash } from "../canonical.ts";
import { differencesFromDataset, loadRecords, replayTasks, type TauTask } from "../replay.ts";

/**
 * τ-bench episodes against Aisle: an LLM plays the customer from the task's `instruction`, Aisle's
 * graph answers on the LLM tier with governance on, and the episode is scored as τ-bench scores it —
 * reward 1 when the database ends exactly as the task's ground-truth actions leave it and every
 * required output appears in Aisle's replies, else 0. pass^1 is the mean reward over tasks.
 */

export const STOP = "###STOP###";

/** τ-bench's user-simulator instructions, in substance. */
export function userSystemPrompt(instruction: string): string {
  return `You are a user interacting with an agent.

Instruction: ${instruction}

Rules:
- Just generate one line at a time to simulate the user's message.
- Do not give away all the instruction at once. Only provide the information that is necessary for the current step.
- Do not hallucinate information that is not provided in the instruction. If the agent asks for something the instruction does not say, say you do not remember or do not have it.
- If the instruction goal is satisfied, generate '${STOP}' as a standalone message without anything else to end the conversation.
- Do not repeat the exact instruction in the conversation. Use your own words.
- Try to make the conversation as natural as possible, and stick to the personalities in the instruction.`;
}

export interface EpisodeResult {
  task_id: number;
  reward: 0 | 1;
  db_match: boolean;
  outputs_missing: string[];
  /** Records whose final state differs from the expected one (`orders/#W…`). */
  db_diff: string[];
  turns: number;
  stopped_by_user: boolean;
  escalations: number;
  transcript: { role: "user" | "agent"; content: string }[];
  error?: string;
}

export interface EpisodeOptions {
  task: TauTask;
  /** A fresh, pristine seeded database for this episode (dropped by the caller). */
  pool: pg.Pool;
  agent: LlmSettings | BaseChatModel;
  user: BaseChatModel;
  maxTurns?: number;
  /** Escalations (e.g. refunds above the approval threshold) are approved by a simulated manager. */
  approveEscalations?: boolean;
}

const textOf = (m: BaseMessage) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content));

export async function runEpisode(opts: EpisodeOptions): Promise<EpisodeResult> {
  const { task, pool } = opts;
  // Ground truth on this very database: the task's actions in a rolled-back transaction.
  const client = await pool.connect();
  let expected;
  try {
    [expected] = await replayTasks(client, [task]);
  } finally {
    client.release();
  }
  const runtime = await createAisleRuntime({ pool, llm: opts.agent });
  const transcript: EpisodeResult["transcript"] = [];
  const userMessages: BaseMessage[] = [new SystemMessage(userSystemPrompt(task.instruction ?? "")), new HumanMessage("Hi! How can I help you today?")];
  const config = { configurable: { thread_id: `tau-${task.id}-${Date.now()}`, caller: { role: "customer" }, force_tier: "llm" } };
  let stopped = false;
  let escalations = 0;
  let error: string | undefined;
  try {
    for (let turn = 0; turn < (opts.maxTurns ?? 30); turn++) {
      const said = textOf(await opts.user.invoke(userMessages));
      userMessages.push(new AIMessage(said));
      if (said.includes(STOP)) {
        stopped = true;
        break;
      }
      transcript.push({ role: "user", content: said });
      let state = (await runtime.graph.invoke({ messages: [{ role: "user", content: said }] } as never, config)) as AisleStateValue & { __interrupt__?: unknown[] };
      while (state.__interrupt__?.length && opts.approveEscalations !== false && escalations < 5) {
        escalations++;
        state = (await runtime.graph.invoke(new Command({ resume: { approved: true, by: "tau-eval" } }) as never, config)) as typeof state;
      }
      const reply = state.reply ?? "";
      transcript.push({ role: "agent", content: reply });
      userMessages.push(new HumanMessage(reply || "(no answer)"));
    }
  } catch (err) {
    error = (err as Error).message;
  } finally {
    await runtime.close();
  }

  // Final state: every τ-bench record that differs from the initial dataset, compared by canonical hash.
  const db = poolDb(pool);
  const actualKeys = await differencesFromDataset(db);
  const keys = [...new Set([...actualKeys, ...Object.keys(expected!.changed)])];
  const records = await loadRecords(db, keys);
  const dbDiff = keys.filter((k) => {
    const want = k in expected!.changed ? canonicalHash(expected!.changed[k]) : undefined;
    const have = actualKeys.includes(k) ? canonicalHash(records.get(k) ?? null) : undefined;
    return want !== have;
  });
  const replies = transcript.filter((t) => t.role === "agent").map((t) => t.content.toLowerCase().replace(/,/g, ""));
  const missing = (task.outputs ?? []).filter((o) => !replies.some((r) => r.includes(o.toLowerCase().replace(/,/g, ""))));
  const dbMatch = dbDiff.length === 0;
  return {
    task_id: task.id,
    reward: dbMatch && missing.length === 0 && !error ? 1 : 0,
    db_match: dbMatch,
    outputs_missing: missing,
    db_diff: dbDiff.sort(),
    turns: transcript.filter((t) => t.role === "user").length,
    stopped_by_user: stopped,
    escalations,
    transcript,
    error,
  };
}

export interface TauReport {
  tasks: number;
  pass_1: number;
  results: Omit<EpisodeResult, "transcript">[];
}

export function summariseEpisodes(results: EpisodeResult[]): TauReport {
  return {
    tasks: results.length,
    pass_1: results.length ? results.reduce((s, r) => s + r.reward, 0) / results.length : 0,
    results: results.map(({ transcript: _t, ...r }) => r),
  };
}
