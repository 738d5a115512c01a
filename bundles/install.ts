import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type pg from "pg";
import { Classifier } from "../models/router/model.ts";
import { registerRouterModel } from "../models/router/store.ts";
import { PolicyEngine } from "../policies/index.ts";
import { AGENT_FOCUS, BASE_INSTRUCTIONS } from "../nodes/agents/prompts.ts";
import { canonicalJson } from "../traces/store.ts";
import { sha256Hex, type OpenedBundle } from "./bundle.ts";
import { runtimeConfiguration } from "./collect.ts";
import { readFileSync } from "node:fs";

export interface InstallReport {
  router_version: string | null;
  policy_version: string | null;
  policy_files: string[];
  /** Differences this install cannot change by itself (environment, code), with what to do. */
  warnings: string[];
}

/** Environment variables behind each bundled configuration value (see graphs/configuration.ts, models/llm). */
const ENV_OF: Record<string, string> = {
  "turn.refund_approval_above": "AISLE_REFUND_APPROVAL_ABOVE",
  "turn.max_agent_steps": "AISLE_MAX_AGENT_STEPS",
  "turn.max_blocked": "AISLE_MAX_BLOCKED",
  durability: "AISLE_DURABILITY",
  "tiers.llm.model": "AISLE_LLM_MODEL",
  "tiers.llm.base_url": "OPENAI_BASE_URL",
  "tiers.llm.temperature": "AISLE_LLM_TEMPERATURE",
  "tiers.llm.timeout_ms": "AISLE_LLM_TIMEOUT_MS",
  "tiers.llm.price_per_1k.input": "AISLE_LLM_PRICE_IN_PER_1K",
  "tiers.llm.price_per_1k.output": "AISLE_LLM_PRICE_OUT_PER_1K",
};

/** Flattens JSON into dotted paths → canonical JSON of the leaf values. */
export function flatten(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) for (const [p, leaf] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
  } else out.set(prefix, canonicalJson(value));
  return out;
}

/**
 * Installs a verified bundle into this Aisle: checks the database schema is compatible, validates
 * and installs the rule packs into `policyDir` (compiled first in a staging directory; nothing is
 * written when they do not compile), registers and activates the router version, and reports the
 * configuration and code differences that only the operator can change (environment variables,
 * prompts and reply templates that live in code).
 */
export async function installBundle(pool: pg.Pool, bundle: OpenedBundle, opts: { policyDir: string; env?: NodeJS.ProcessEnv }): Promise<InstallReport> {
  const warnings: string[] = [];
  const file = (path: string) => bundle.files.get(path);

  const { rows } = await pool.query<{ name: string }>("SELECT name FROM aisle_migrations");
  const applied = new Set(rows.map((r) => r.name));
  const missing = bundle.manifest.schema_migrations.filter((m) => !applied.has(m));
  if (missing.length) {
    throw new Error(`this database lacks migrations the bundle was built on (${missing.join(", ")}): upgrade Aisle here, then import again`);
  }

  // Rule packs: compile them in a staging directory before touching the live one.
  const packs = [...bundle.files.keys()].filter((p) => p.startsWith("policy/"));
  let policyVersion: string | null = null;
  if (packs.length) {
    mkdirSync(opts.policyDir, { recursive: true });
    const staging = mkdtempSync(join(opts.policyDir, ".bundle-staging-"));
    try {
      for (const p of packs) writeFileSync(join(staging, basename(p)), file(p)!);
      try {
        policyVersion = PolicyEngine.load(staging).version;
      } catch (err) {
        throw new Error(`the bundle's rule packs do not compile here: ${(err as Error).message}`);
      }
      for (const p of packs) renameSync(join(staging, basename(p)), join(opts.policyDir, basename(p)));
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    const extra = readdirSync(opts.policyDir).filter((f) => /\.(ya?ml|json)$/.test(f) && !packs.includes(`policy/${f}`));
    if (extra.length) warnings.push(`${opts.policyDir} also holds packs the bundle does not have (${extra.join(", ")}); remove them to run exactly the bundle's rules`);
  }

  let routerVersion: string | null = null;
  const routerJson = file("router/router.json");
  if (routerJson) {
    // Constructing the classifier validates the weights against the declared shape.
    const model = Classifier.fromJson(JSON.parse(routerJson.toString("utf8"))).file;
    await registerRouterModel(pool, model, { activate: true });
    routerVersion = model.version;
  }

  const bundledConfig = file("config/runtime.json");
  if (bundledConfig) {
    const want = flatten(JSON.parse(bundledConfig.toString("utf8")));
    const have = flatten(runtimeConfiguration(opts.env ?? process.env));
    for (const [path, value] of want) {
      if (have.get(path) === value) continue;
      const envVar = ENV_OF[path];
      warnings.push(
        envVar
          ? `configuration ${path} is ${have.get(path) ?? "unset"} here but ${value} in the bundle: set ${envVar}=${JSON.parse(value)}`
          : `configuration ${path} differs (here ${have.get(path) ?? "unset"}, bundle ${value}); it is set in code, so run the Aisle version the bundle was made with`,
      );
    }
  }
  const prompts = file("prompts/agents.json");
  if (prompts && canonicalJson(JSON.parse(prompts.toString("utf8"))) !== canonicalJson({ base_instructions: BASE_INSTRUCTIONS, agent_focus: AGENT_FOCUS })) {
    warnings.push("the agents' prompts differ from this Aisle's (nodes/agents/prompts.ts): LLM-tier answers may differ");
  }
  const templates = file("prompts/reply_templates.ts");
  const localTemplates = new URL("../models/local/replies.ts", import.meta.url);
  if (templates && existsSync(localTemplates) && sha256Hex(templates) !== sha256Hex(readFileSync(localTemplates))) {
    warnings.push("the embedded model's reply templates differ from this Aisle's (models/local/replies.ts): replies may be worded differently");
  }
  return { router_version: routerVersion, policy_version: policyVersion, policy_files: packs.map((p) => basename(p)), warnings };
}
