import { Command } from "@langchain/langgraph";
import { randomUUID } from "node:crypto";
import type { AisleRuntime } from "../../graphs/runtime.ts";
import type { AisleStateValue, Caller } from "../../graphs/state.ts";
import { DURABILITY } from "../../graphs/runtime.ts";

/** One scripted conversation (one thread) through the compiled graph, as a user would have it. */
export class Conversation {
  readonly threadId = `t-${randomUUID()}`;
  state?: AisleStateValue;
  interrupt?: { value: unknown };

  constructor(
    readonly runtime: AisleRuntime,
    readonly caller: Caller = { role: "customer" },
    readonly extra: Record<string, unknown> = {},
  ) {}

  get config() {
    return { configurable: { thread_id: this.threadId, caller: this.caller, ...this.extra }, durability: DURABILITY };
  }

  private async run(input_: unknown): Promise<string> {
    const out = (await this.runtime.graph.invoke(input_ as never, this.config)) as AisleStateValue & { __interrupt__?: { value: unknown }[] };
    this.state = out;
    this.interrupt = out.__interrupt__?.[0];
    if (process.env.AISLE_DEBUG_CONVERSATION) {
      const input = (input_ as { messages?: { content: string }[] }).messages?.[0]?.content ?? "(resume)";
      process.stderr.write(`> ${input}\n< ${String(out.reply ?? "").slice(0, 120)}\n  [${out.route?.intent} | ${out.route?.reason} | ${out.verdicts.map((v) => `${v.verdict}:${v.rule}`).join(", ")}]\n`);
    }
    return this.interrupt ? "" : (out.reply ?? "");
  }

  /** Sends one user message and returns the reply ("" when the turn paused for a manager). */
  say(text: string): Promise<string> {
    return this.run({ messages: [{ role: "user", content: text }] });
  }

  /** A manager's decision on a paused escalation. */
  resume(decision: { approved: boolean; by?: string; note?: string }): Promise<string> {
    return this.run(new Command({ resume: decision }));
  }

  get verdicts() {
    return this.state?.verdicts ?? [];
  }
}
