import type { Command } from "commander";
import { createInterface } from "node:readline";
import { randomUUID } from "node:crypto";
import { Command as Resume } from "@langchain/langgraph";
import { action, info, UsageError, withDatabase } from "../runtime.ts";
import { createAisleRuntime, DURABILITY } from "../../graphs/runtime.ts";
import type { AisleStateValue, Caller } from "../../graphs/state.ts";
import { redactPII, SECRET_KINDS } from "../../governance/index.ts";

/** `--as customer:<user_id>`, `--as associate:<store>`, `--as manager` … → the caller identity. */
export function parseCaller(spec: string | undefined): Caller {
  if (!spec) return { role: "customer" };
  const [role, id] = spec.split(":", 2);
  switch (role) {
    case "customer":
      return id ? { role, customer_id: id } : { role };
    case "associate":
      if (!id) throw new UsageError("--as associate:<store_id> needs a store number, e.g. associate:0042");
      return { role, store_id: id.padStart(4, "0") };
    case "manager":
    case "admin":
    case "ml":
      return { role };
    default:
      throw new UsageError(`--as: unknown role "${role}" (customer[:<user_id>], associate:<store>, manager, admin, ml)`);
  }
}

type TurnOut = AisleStateValue & { __interrupt__?: { value: { reason?: string; summary?: string } }[] };

function describeTurn(out: TurnOut): string {
  const r = out.route;
  const verdicts = out.verdicts.filter((v) => v.turn === out.turn).map((v) => `${v.verdict}:${v.rule}${v.tool ? `(${v.tool})` : ""}`);
  const ms = out.timings.filter((t) => t.turn === out.turn).reduce((s, t) => s + t.ms, 0);
  return `  [intent ${r?.intent ?? "?"} ${r ? r.confidence.toFixed(2) : ""} · agent ${r?.agent ?? "?"} · tier ${r?.tier_used ?? "?"} · ${ms.toFixed(0)} ms${out.authenticated ? ` · customer ${out.authenticated.user_id}` : ""}]\n  [verdicts ${verdicts.join(", ") || "none"}]`;
}

export function registerChatCommand(program: Command): void {
  program
    .command("chat")
    .description("Chat with Aisle in the terminal (stdin not a terminal: one message per line in, one reply per line out)")
    .option("--as <caller>", "who is talking: customer[:<user_id>], associate:<store>, manager, admin", undefined)
    .option("--thread <id>", "continue an existing conversation thread")
    .option("-v, --verbose", "show intent, agent, tier, timing and governance verdicts for every turn")
    .option("--tier <tier>", "force a model tier for every turn: local or llm")
    .action(
      action(async (opts: { as?: string; thread?: string; verbose?: boolean; tier?: string }) => {
        const caller = parseCaller(opts.as);
        if (opts.tier && !["local", "llm"].includes(opts.tier)) throw new UsageError("--tier must be local or llm");
        await withDatabase(async ({ pool }) => {
          const runtime = await createAisleRuntime({ pool });
          const threadId = opts.thread ?? `cli-${randomUUID()}`;
          const config = {
            configurable: { thread_id: threadId, caller, ...(opts.tier ? { force_tier: opts.tier } : {}) },
            durability: DURABILITY,
          };
          const tty = process.stdin.isTTY && process.stdout.isTTY;
          if (tty) info(`Aisle chat · thread ${threadId} · as ${caller.role}${caller.customer_id ? `:${caller.customer_id}` : ""}${caller.store_id ? `:${caller.store_id}` : ""} · Ctrl-D to quit`);
          const rl = createInterface({ input: process.stdin, output: tty ? process.stdout : undefined, terminal: tty });
          const write = (text: string) => process.stdout.write(tty ? `aisle> ${text}\n` : `${text.replace(/\s*\n\s*/g, " / ")}\n`);
          let awaitingManager = false;
          if (tty) {
            rl.setPrompt("you> ");
            rl.prompt();
          }
          for await (const line of rl) {
            const text = line.trim();
            if (!text) {
              if (tty) rl.prompt();
              else write("");
              continue;
            }
            // Mask pasted secrets before LangGraph stores the input (as the server does at its edge).
            let input: unknown = { messages: [{ role: "user", content: redactPII(text, { kinds: SECRET_KINDS }).text }] };
            if (awaitingManager) {
              const approved = /^(?:y|yes|approve|approved)\b/i.test(text);
              input = new Resume({ resume: { approved, by: `cli-${caller.role}` } });
              awaitingManager = false;
            }
            try {
              const out = (await runtime.graph.invoke(input as never, config)) as TurnOut;
              const pause = out.__interrupt__?.[0];
              if (pause) {
                awaitingManager = true;
                write(`[escalated to a manager: ${pause.value.reason ?? "approval needed"}${pause.value.summary ? ` — ${pause.value.summary}` : ""}. Reply "approve" or "reject" as the manager.]`);
              } else write(out.reply ?? "");
              if (opts.verbose) process.stderr.write(`${describeTurn(out)}\n`);
            } catch (err) {
              // One bad turn must not end the session (or the scripted conversation).
              write(`[error: ${(err as Error).message}]`);
            }
            if (tty) rl.prompt();
          }
          await runtime.close();
        });
      }),
    );
}
