import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ChatOpenAI } from "@langchain/openai";
import { openDatabase } from "../../db/connection.ts";
import { llmSettingsFromEnv } from "../../models/llm/index.ts";
import { loadTasks } from "../../evals/replay.ts";
import { runEpisode, summariseEpisodes, type EpisodeResult } from "../../evals/tau/episode.ts";
import { episodeDatabases } from "../../evals/tau/databases.ts";
import { UsageError, action, info } from "../runtime.ts";

const SPLITS = ["test", "dev", "train"];

function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

interface EvalTauOptions {
  tasks: string;
  ids?: string;
  limit?: string;
  agentModel?: string;
  userModel?: string;
  maxTurns: string;
  json?: string;
  rejectEscalations?: boolean;
}

export function registerEvalTauCommand(program: Command): void {
  group(program, "eval", "Evaluate Aisle's models and rails")
    .command("tau")
    .description("Run τ-bench episodes: an LLM user simulator vs Aisle's graph on the LLM tier (governance on); reports pass^1")
    .option("--tasks <split|file>", `τ-bench split (${SPLITS.join(", ")}) or a tasks JSON file`, "test")
    .option("--ids <ids>", "only these task ids (comma-separated)")
    .option("--limit <n>", "only the first n tasks")
    .option("--agent-model <model>", "model for Aisle's LLM tier (default AISLE_LLM_MODEL)")
    .option("--user-model <model>", "model for the user simulator (default: the agent model)")
    .option("--max-turns <n>", "user turns per episode before giving up", "30")
    .option("--reject-escalations", "a simulated manager rejects escalations instead of approving them")
    .option("--json <file>", "also write the per-task results as JSON")
    .addHelpText(
      "after",
      `
Needs an OpenAI-compatible endpoint: OPENAI_API_KEY, and OPENAI_BASE_URL for vLLM, Ollama, llama.cpp…
Each task runs on its own clone of a pristine seeded database (built once on the DATABASE_URL
server, or the embedded one), never on Aisle's live data. Scoring follows τ-bench: reward 1 when the
final database equals what the task's ground-truth actions produce and every required output appears
in Aisle's replies; pass^1 is the mean reward.

Example:
  OPENAI_BASE_URL=http://localhost:8000/v1 OPENAI_API_KEY=x aisle eval tau --tasks dev --agent-model qwen2.5-7b --limit 10`,
    )
    .action(
      action(async (opts: EvalTauOptions) => {
        const file = SPLITS.includes(opts.tasks) ? fileURLToPath(new URL(`../../data/tau-retail/tasks_${opts.tasks}.json`, import.meta.url)) : opts.tasks;
        if (!existsSync(file)) throw new UsageError(`no tasks file ${file}`);
        let tasks = loadTasks(file);
        if (opts.ids) {
          const ids = new Set(opts.ids.split(",").map((s) => Number(s.trim())));
          tasks = tasks.filter((t) => ids.has(t.id));
        }
        if (opts.limit !== undefined) {
          const n = Number(opts.limit);
          if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive integer, got "${opts.limit}"`);
          tasks = tasks.slice(0, n);
        }
        if (!tasks.length) throw new UsageError("no tasks selected");
        const maxTurns = Number(opts.maxTurns);
        if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new UsageError(`--max-turns must be a positive integer, got "${opts.maxTurns}"`);
        const env = { ...process.env, ...(opts.agentModel ? { AISLE_LLM_MODEL: opts.agentModel } : {}) };
        const agent = llmSettingsFromEnv(env);
        if (!agent) throw new UsageError("no LLM configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server)");
        const user = new ChatOpenAI({
          apiKey: agent.apiKey,
          model: opts.userModel ?? agent.model,
          temperature: 0,
          configuration: agent.baseURL ? { baseURL: agent.baseURL } : undefined,
        });

        const server = await openDatabase();
        const dbs = await episodeDatabases(server.url, { log: info });
        const bar = new SingleBar({ format: "τ-bench [{bar}] {value}/{total} tasks | pass^1 so far {pass}", stream: process.stderr }, Presets.shades_classic);
        const results: EpisodeResult[] = [];
        bar.start(tasks.length, 0, { pass: "–" });
        try {
          for (const task of tasks) {
            const db = await dbs.clone();
            try {
              results.push(await runEpisode({ task, pool: db.pool, agent, user, maxTurns, approveEscalations: !opts.rejectEscalations }));
            } finally {
              await db.drop();
            }
            bar.update(results.length, { pass: summariseEpisodes(results).pass_1.toFixed(3) });
          }
        } finally {
          bar.stop();
          await dbs.close();
          await server.close();
        }
        const report = summariseEpisodes(results);
        const lines = ["task  reward  turns  db     missing outputs / error", "----  ------  -----  -----  -------------------------"];
        for (const r of report.results) {
          lines.push(`${String(r.task_id).padStart(4)}  ${String(r.reward).padStart(6)}  ${String(r.turns).padStart(5)}  ${(r.db_match ? "ok" : "diff").padEnd(5)}  ${[r.error, ...r.outputs_missing, ...r.db_diff].filter(Boolean).join("; ")}`);
        }
        lines.push(`pass^1 = ${report.pass_1.toFixed(3)} over ${report.tasks} task(s) (agent ${agent.model}, user ${opts.userModel ?? agent.model})`);
        process.stdout.write(`${lines.join("\n")}\n`);
        if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ ...report, agent_model: agent.model, user_model: opts.userModel ?? agent.model, episodes: results }, null, 2)}\n`);
      }),
    );
}
