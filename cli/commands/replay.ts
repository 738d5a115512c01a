import { writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import cliProgress from "cli-progress";
import { TAU_DATA_DIR } from "../../db/config.ts";
import { poolDb } from "../../db/executor.ts";
import { differencesFromDataset, loadTasks, replayTasksConcurrently, type ReplayedTask, type TauTask } from "../../evals/replay.ts";
import { compareTask, loadExpected, type ExpectedOutcomes } from "../../evals/replayCompare.ts";
import { dumpRecord } from "../../tools/tauJson.ts";
import { UsageError, action, info, withDatabase } from "../runtime.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `tasks_train.json` → the `expected_train.json` next to it, if there is one. */
function expectedFor(tasksFile: string): string | undefined {
  const m = basename(tasksFile).match(/^tasks_(.+)\.json$/);
  const candidate = m && join(dirname(tasksFile), `expected_${m[1]}.json`);
  return candidate && existsSync(candidate) ? candidate : undefined;
}

/** The replay file: one task per line, records in τ-bench's own JSON shape and key order. */
function renderReplay(tasks: ReplayedTask[]): string {
  const lines = tasks.map((t) => dumpRecord({ id: t.id, outputs: t.outputs, changed: t.changed }));
  return `{"tasks": [\n${lines.join(",\n")}\n]}\n`;
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("Replay τ-bench tasks' ground-truth actions through Aisle's tools (each from the pristine seed, rolled back)")
    .option("--tasks <file>", "a τ-bench tasks file (repeatable; default: the dataset's train and dev tasks)", collect)
    .option("--out <file>", 'write {"tasks":[{id, outputs, changed}]} here')
    .option("--expected <file>", "reference outcomes to compare with (repeatable, one per --tasks; default: expected_<split>.json beside tasks_<split>.json)", collect)
    .option("--no-compare", "do not compare with reference outcomes")
    .option("--concurrency <n>", "database connections to replay on", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 32) throw new InvalidArgumentError("expected an integer from 1 to 32");
      return n;
    }, 2)
    .addHelpText(
      "after",
      `\nEach task runs in its own transaction that is rolled back, so the database is left as it was.\n` +
        `The τ-bench records must be pristine (as seeded); otherwise run "aisle db reset" first.\n` +
        `Exit code 1 when a compared task differs from its reference outcome.\n\n` +
        `Example:\n  aisle replay --tasks data/tau-retail/tasks_train.json --tasks data/tau-retail/tasks_dev.json --out replay.json`,
    )
    .action(
      action(async (opts: { tasks?: string[]; out?: string; expected?: string[]; compare: boolean; concurrency: number }) => {
        const files = opts.tasks ?? [join(TAU_DATA_DIR, "tasks_train.json"), join(TAU_DATA_DIR, "tasks_dev.json")];
        if (opts.expected && opts.expected.length !== files.length) {
          throw new UsageError(`give one --expected per --tasks (${files.length} tasks files, ${opts.expected.length} expected)`);
        }
        const sets: Array<{ file: string; tasks: TauTask[]; expected?: ExpectedOutcomes }> = [];
        for (const [i, file] of files.entries()) {
          let tasks: TauTask[];
          try {
            tasks = loadTasks(file);
          } catch (err) {
            throw new UsageError((err as Error).message);
          }
          const expectedFile = opts.compare ? (opts.expected?.[i] ?? expectedFor(file)) : undefined;
          sets.push({ file, tasks, expected: expectedFile ? loadExpected(expectedFile) : undefined });
        }
        const total = sets.reduce((n, s) => n + s.tasks.length, 0);

        return withDatabase(async ({ pool }) => {
          const differing = await differencesFromDataset(poolDb(pool));
          if (differing.length) {
            throw new UsageError(
              `${differing.length} τ-bench record(s) in this database differ from the dataset (e.g. ${differing.slice(0, 3).join(", ")}); ` +
                `replay needs the pristine seed: run "aisle db reset" or point DATABASE_URL at a fresh database`,
            );
          }
          const bar = new cliProgress.SingleBar(
            { stream: process.stderr, format: "Replaying [{bar}] {value}/{total} tasks | {eta_formatted} left", noTTYOutput: true, notTTYSchedule: 2000 },
            cliProgress.Presets.shades_classic,
          );
          const started = performance.now();
          bar.start(total, 0);
          const all: ReplayedTask[] = [];
          let done = 0;
          let mismatched = 0;
          const report: string[] = [];
          try {
            for (const set of sets) {
              const results = await replayTasksConcurrently(pool, set.tasks, {
                concurrency: opts.concurrency,
                onTask: () => bar.update(++done),
              });
              all.push(...results);
              if (set.expected) {
                const bad = results.map((r) => compareTask(r, set.expected![String(r.id)])).filter((p) => p.length);
                mismatched += bad.length;
                report.push(`${basename(set.file)}: ${results.length - bad.length}/${results.length} tasks match the reference`);
                for (const p of bad.slice(0, 10)) report.push(...p.map((line) => `  ${line}`));
              } else {
                report.push(`${basename(set.file)}: ${results.length} tasks replayed (no reference to compare)`);
              }
            }
          } finally {
            bar.stop();
          }
          const seconds = (performance.now() - started) / 1000;
          if (opts.out) writeFileSync(opts.out, renderReplay(all));
          for (const line of report) info(line);
          info(`Replayed ${total} tasks in ${seconds.toFixed(1)} s${opts.out ? `; wrote ${opts.out}` : ""}.`);
          return mismatched ? 1 : 0;
        });
      }),
    );
}
