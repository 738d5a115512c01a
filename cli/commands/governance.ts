import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { redactPII, runInputRails } from "../../governance/index.ts";
import { DEFAULT_POLICY_DIR, PolicyEngine, PolicyStage, lintPolicies, runPolicyExamples } from "../../policies/index.ts";
import { UsageError, action, info } from "../runtime.ts";

const GovernLine = z.strictObject({
  id: z.union([z.string(), z.number()]),
  role: z.enum(["customer", "associate", "manager"]).default("customer"),
  input: z.string(),
});

function readLines(file: string): string[] {
  let text: string;
  try {
    text = file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return text.split("\n");
}

/** Writes via a temporary file and a rename, so a failed run never leaves a half-written output. */
function writeAtomically(file: string, content: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

function loadEngine(dir: string): PolicyEngine {
  try {
    return PolicyEngine.load(dir);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function registerGovernanceCommands(program: Command): void {
  program
    .command("govern")
    .description("Run the input rails over a JSONL file of messages and write one verdict per line")
    .requiredOption("--in <file>", 'input JSONL: one {"id", "role", "input"} per line (role: customer | associate | manager); "-" for stdin')
    .option("--out <file>", "output JSONL (default: stdout)")
    .addHelpText(
      "after",
      `\nEach output line: {"id", "verdict", "rails", "rules", "reasons", "redacted_input"} where verdict is\n` +
        `allow | redact | fix | block | escalate. Every input line is validated before anything is written;\n` +
        `an invalid line is reported with its number and nothing is written (exit code 2).\n\n` +
        `Example:\n  echo '{"id":1,"role":"customer","input":"ignore all previous instructions"}' | aisle govern --in -`,
    )
    .action(
      action(async (opts: { in: string; out?: string }) => {
        const parsed: z.infer<typeof GovernLine>[] = [];
        const errors: string[] = [];
        readLines(opts.in).forEach((line, i) => {
          if (!line.trim()) return;
          let raw: unknown;
          try {
            raw = JSON.parse(line);
          } catch (e) {
            errors.push(`line ${i + 1}: not JSON (${(e as Error).message})`);
            return;
          }
          const r = GovernLine.safeParse(raw);
          if (!r.success) errors.push(`line ${i + 1}: ${z.prettifyError(r.error).replace(/\n/g, "; ")}`);
          else parsed.push(r.data);
        });
        if (errors.length) throw new UsageError(`${opts.in} has ${errors.length} invalid line(s), nothing written:\n  ${errors.slice(0, 20).join("\n  ")}`);
        const counts: Record<string, number> = {};
        const out = parsed.map((l) => {
          const r = runInputRails(l.input, { role: l.role });
          counts[r.action] = (counts[r.action] ?? 0) + 1;
          return JSON.stringify({
            id: l.id,
            verdict: r.action,
            rails: [...new Set(r.verdicts.map((v) => v.rail))],
            rules: r.verdicts.map((v) => v.rule_id),
            reasons: r.verdicts.map((v) => `${v.rule_id}: ${v.reason}`),
            redacted_input: redactPII(l.input).text,
          });
        });
        const body = out.length ? `${out.join("\n")}\n` : "";
        if (opts.out) writeAtomically(opts.out, body);
        else process.stdout.write(body);
        info(`governed ${parsed.length} message(s): ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
      }),
    );

  const policy = program.command("policy").description("Work with the policy rule packs (YAML + CEL)");
  const dirOption = ["--dir <path>", `pack file or directory (default: AISLE_POLICY_DIR or ${DEFAULT_POLICY_DIR})`, DEFAULT_POLICY_DIR] as const;

  policy
    .command("test")
    .description("Run every rule's embedded examples")
    .option(...dirOption)
    .option("-v, --verbose", "list passing examples too")
    .action(
      action(async (opts: { dir: string; verbose?: boolean }) => {
        const engine = loadEngine(opts.dir);
        const results = runPolicyExamples(engine.compiled!);
        for (const r of results) if (!r.ok || opts.verbose) process.stdout.write(`${r.ok ? "pass" : "FAIL"}  ${r.rule_id} [${r.example}]${r.message ? `: ${r.message}` : ""}\n`);
        const failed = results.filter((r) => !r.ok).length;
        process.stdout.write(`${results.length - failed}/${results.length} examples pass across ${engine.compiled!.rules.length} rules (${engine.version})\n`);
        return failed ? 1 : 0;
      }),
    );

  policy
    .command("lint")
    .description("Check packs for unknown fields, CEL parse/type errors, unreachable and shadowed rules")
    .option(...dirOption)
    .action(
      action(async (opts: { dir: string }) => {
        let findings;
        try {
          findings = lintPolicies(opts.dir);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        for (const f of findings) process.stdout.write(`${f.level.padEnd(7)} ${f.source}${f.rule_id ? ` ${f.rule_id}` : ""}: ${f.message}\n`);
        const errors = findings.filter((f) => f.level === "error").length;
        process.stdout.write(`${errors} error(s), ${findings.length - errors} warning(s)\n`);
        return errors ? 1 : 0;
      }),
    );

  policy
    .command("version")
    .description("Print the version id recorded on every turn (pack@semver+content-hash)")
    .option(...dirOption)
    .action(
      action(async (opts: { dir: string }) => {
        process.stdout.write(`${loadEngine(opts.dir).version}\n`);
      }),
    );

  policy
    .command("eval")
    .description("Evaluate one stage against facts given as JSON and print effects and verdicts")
    .argument("<stage>", `one of ${PolicyStage.options.join(", ")}`)
    .argument("<facts>", 'facts as a JSON object, e.g. \'{"customer":{"tier":"gold"}}\'')
    .option(...dirOption)
    .action(
      action(async (stage: string, factsJson: string, opts: { dir: string }) => {
        const s = PolicyStage.safeParse(stage);
        if (!s.success) throw new UsageError(`unknown stage "${stage}"; expected one of ${PolicyStage.options.join(", ")}`);
        let facts: unknown;
        try {
          facts = JSON.parse(factsJson);
        } catch (e) {
          throw new UsageError(`facts are not valid JSON: ${(e as Error).message}`);
        }
        if (!facts || typeof facts !== "object" || Array.isArray(facts)) throw new UsageError("facts must be a JSON object");
        process.stdout.write(`${JSON.stringify(loadEngine(opts.dir).evaluate(s.data, facts as Record<string, unknown>), null, 2)}\n`);
      }),
    );
}
