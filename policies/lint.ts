/**
 * `aisle policy lint`: everything that can be wrong with a pack before it runs — schema problems
 * (unknown fields, missing examples), CEL parse and type errors against the declared facts,
 * unreachable rules (constant-false conditions, disabled rules) and shadowed ones (same stage and
 * condition as an earlier rule).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { extname } from "node:path";
import { checkEnvironment, packFiles } from "./engine.ts";
import { PolicyPack } from "./schema.ts";

export interface LintFinding {
  level: "error" | "warning";
  source: string;
  rule_id?: string;
  message: string;
}

const norm = (s: string) => s.replace(/\s+/g, "");

export function lintPolicies(pathOrDir: string): LintFinding[] {
  const findings: LintFinding[] = [];
  const seenIds = new Map<string, string>();
  for (const source of packFiles(pathOrDir)) {
    const add = (level: LintFinding["level"], message: string, rule_id?: string) => findings.push({ level, source, rule_id, message });
    let raw: unknown;
    try {
      const text = readFileSync(source, "utf8");
      raw = extname(source) === ".json" ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      add("error", `cannot parse: ${(e as Error).message}`);
      continue;
    }
    const parsed = PolicyPack.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.join(".");
        const rulesIdx = issue.path[0] === "rules" && typeof issue.path[1] === "number" ? issue.path[1] : undefined;
        const ruleId = rulesIdx !== undefined ? ((raw as { rules?: { id?: string }[] }).rules?.[rulesIdx]?.id ?? `rules[${rulesIdx}]`) : undefined;
        const msg = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")} at ${path || "top level"}` : `${path}: ${issue.message}`;
        add("error", msg, ruleId);
      }
      continue;
    }
    const pack = parsed.data;
    const env = checkEnvironment(pack.facts, pack.params);
    const earlier: { stage: string; when: string; id: string }[] = [];
    for (const rule of pack.rules) {
      const id = rule.id;
      if (seenIds.has(id)) add("error", `duplicate rule id (also in ${seenIds.get(id)})`, id);
      seenIds.set(id, source);
      const check = (expr: string, what: string, want?: string) => {
        const r = env.check(expr);
        if (!r.valid) add("error", `${what}: ${r.error?.message.split("\n")[0]} in \`${expr}\``, id);
        else if (want && r.type !== want && r.type !== "dyn") add("error", `${what} must be ${want}, is ${r.type}`, id);
        return r;
      };
      check(rule.when, "when", "bool");
      for (const [k, e] of Object.entries(rule.set ?? {})) check(e, `set.${k}`);
      for (const [k, e] of Object.entries(rule.fix ?? {})) check(e, `fix.${k}`);
      if (rule.action === "effect" && !rule.effect) add("warning", "effect rule has no `effect` name; its id is used", id);
      if (rule.action === "fix" && !rule.fix) add("error", "fix rule has no `fix` expressions", id);
      if (rule.action !== "fix" && rule.fix) add("warning", "`fix` is ignored unless action is fix", id);
      if (["block", "escalate", "fix"].includes(rule.action) && !rule.message) add("warning", "no customer-facing `message`", id);
      if (!rule.enabled) add("warning", "disabled: never evaluated", id);
      if (/^\s*false\s*$/.test(rule.when)) add("error", "unreachable: condition is always false", id);
      const twin = earlier.find((e) => e.stage === rule.stage && e.when === norm(rule.when));
      if (twin) add("error", `shadowed: same stage and condition as ${twin.id}`, id);
      earlier.push({ stage: rule.stage, when: norm(rule.when), id });
      if (!rule.examples.some((e) => e.fires)) add("warning", "no example shows the rule firing", id);
      if (!rule.examples.some((e) => !e.fires) && !/^\s*true\s*$/.test(rule.when)) add("warning", "no example shows the rule not firing", id);
      for (const ex of rule.examples)
        for (const k of Object.keys(ex.facts)) if (!(k in pack.facts)) add("error", `example "${ex.name ?? "?"}" uses undeclared fact "${k}"`, id);
    }
  }
  return findings;
}
