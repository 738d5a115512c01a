import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "./support/db.ts";
import { createAisleRuntime, DURABILITY, type AisleRuntime } from "../graphs/runtime.ts";
import { PolicyEngine } from "../policies/index.ts";
import { activeRouterVersion, registerRouterModel, SHIPPED_MODEL_PATH } from "../models/router/index.ts";
import { RouterModelFile } from "../models/router/model.ts";
import { buildBundle, openBundle, type BuiltBundle } from "../bundles/bundle.ts";
import { collectDeployment } from "../bundles/collect.ts";
import { installBundle } from "../bundles/install.ts";
import { diffBundles, formatDiff } from "../bundles/diff.ts";
import { packTarGz, unpackTarGz } from "../bundles/tar.ts";
import type { AisleStateValue } from "../graphs/state.ts";

const HMAC_ENV = { AISLE_BUNDLE_SIGNING_KEY: "a-shared-secret-of-at-least-32-characters!" };
const dir = mkdtempSync(join(tmpdir(), "aisle-bundle-"));
const REPO_PACKS = new URL("../policies/packs", import.meta.url).pathname;

let source: TestDatabase;
let target: TestDatabase;
let sourceRuntime: AisleRuntime;
let sourcePolicies: string;
let built: BuiltBundle;

/** Scripted conversations covering several intents, authentication, policy and refusal. */
const SCENARIOS: string[][] = [
  ["hi there!"],
  ["where is my order #W5918442?", "my email is sofia.rossi2645@example.com"],
  ["I want to cancel order #W5918442", "sofia.rossi2645@example.com", "no longer needed", "yes"],
  ["can you give me 40% off my next order?"],
  ["do you have hiking boots in stock?"],
  ["what's the weather like on mars?"],
  ["let me talk to a human please"],
];

async function play(runtime: AisleRuntime, script: string[], threadId: string) {
  const out: { reply: string | null; intent?: string; verdicts: string[] }[] = [];
  for (const text of script) {
    const s = (await runtime.graph.invoke({ messages: [{ role: "user", content: text }] } as never, {
      configurable: { thread_id: threadId, caller: { role: "customer" } },
      durability: DURABILITY,
    })) as AisleStateValue;
    out.push({ reply: s.reply, intent: s.route?.intent, verdicts: s.verdicts.map((v) => `${v.verdict}:${v.rule}`) });
  }
  return out;
}

beforeAll(async () => {
  [source, target] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  // The source deployment runs its own router version and a customised rule pack.
  const shipped = RouterModelFile.parse(JSON.parse(readFileSync(SHIPPED_MODEL_PATH, "utf8")));
  await registerRouterModel(source.pool, { ...shipped, version: "router-bundle-test" });
  sourcePolicies = mkdtempSync(join(dir, "source-packs-"));
  cpSync(REPO_PACKS, sourcePolicies, { recursive: true });
  const pack = join(sourcePolicies, "retail.yaml");
  writeFileSync(pack, readFileSync(pack, "utf8").replace(/^version: .*$/m, "version: 1.0.1"));
  sourceRuntime = await createAisleRuntime({ pool: source.pool, llm: null, policies: PolicyEngine.load(sourcePolicies) });
  const { meta, contents } = await collectDeployment({ pool: source.pool, graph: sourceRuntime.graph, policyDir: sourcePolicies, name: "test-bundle" });
  built = buildBundle(meta, contents, HMAC_ENV);
  writeFileSync(join(dir, "a.tgz"), built.tgz);
});
afterAll(async () => {
  await sourceRuntime?.close();
  await Promise.all([source?.drop(), target?.drop()]);
});

describe("orchestration bundles", () => {
  it("packs graph, configuration, rules, router (JSON + ONNX), prompts and schema, signed", () => {
    const paths = built.manifest.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "graph/topology.json",
        "graph/topology.mmd",
        "config/runtime.json",
        "policy/retail.yaml",
        "router/router.json",
        "router/router.onnx",
        "router/metadata.json",
        "prompts/agents.json",
        "prompts/reply_templates.ts",
        "schema/migrations.json",
      ]),
    );
    expect(built.manifest.router_version).toBe("router-bundle-test");
    expect(built.manifest.policy_version).toContain("retail@1.0.1");
    expect(built.manifest.schema_migrations).toContain("0007_traces");
    expect(built.signature?.algorithm).toBe("hmac-sha256");
    const opened = openBundle(built.tgz, { env: HMAC_ENV });
    const topology = JSON.parse(opened.files.get("graph/topology.json")!.toString());
    expect(topology.nodes).toEqual(expect.arrayContaining(["dataPrep", "router", "governance", "audit", "orders_agent"]));
    // The input rails may end a turn in dataPrep, so dataPrep → router is a conditional edge.
    expect(topology.edges).toContainEqual({ source: "dataPrep", target: "router", conditional: true });
    expect(topology.edges).toContainEqual({ source: "router", target: "contextStitch", conditional: false });
    const config = JSON.parse(opened.files.get("config/runtime.json")!.toString());
    expect(config.turn.refund_approval_above).toBeTypeOf("number");
    expect(JSON.stringify(config)).not.toMatch(/api_?key/i);
    // Standard tools read the bundle.
    const listing = execFileSync("tar", ["-tzf", join(dir, "a.tgz")], { encoding: "utf8" });
    expect(listing.split("\n")).toEqual(expect.arrayContaining(["manifest.json", "signature.json", "router/router.onnx"]));
  });

  it("never carries secrets from the environment", async () => {
    const { meta, contents } = await collectDeployment({
      pool: source.pool,
      graph: sourceRuntime.graph,
      policyDir: sourcePolicies,
      env: { OPENAI_API_KEY: "sk-very-secret", OPENAI_BASE_URL: "https://user:pw@llm.internal/v1", AISLE_LLM_MODEL: "my-model" },
    });
    const b = buildBundle(meta, contents, {});
    const config = openBundle(b.tgz, { allowUnsigned: true }).files.get("config/runtime.json")!.toString();
    expect(config).toContain("my-model");
    expect(config).toContain("https://llm.internal/v1");
    expect(config).not.toContain("sk-very-secret");
    expect(config).not.toContain("pw@");
  });

  it("refuses tampered, unsigned or foreign-key bundles", () => {
    const entries = unpackTarGz(built.tgz);
    const repack = (change: (e: { path: string; data: Buffer }) => Buffer) => packTarGz(entries.map((e) => ({ path: e.path, data: change(e) })));
    const tamperedFile = repack((e) => (e.path === "policy/retail.yaml" ? Buffer.from(e.data.toString().replace("manager_discount_cap_pct: 40.0", "manager_discount_cap_pct: 90.0")) : e.data));
    expect(() => openBundle(tamperedFile, { env: HMAC_ENV })).toThrow(/policy\/retail.yaml does not match its sha256/);
    const tamperedManifest = repack((e) => (e.path === "manifest.json" ? Buffer.from(e.data.toString().replace('"test-bundle"', '"evil"')) : e.data));
    expect(() => openBundle(tamperedManifest, { env: HMAC_ENV })).toThrow(/bad signature/);
    expect(() => openBundle(built.tgz, { env: { AISLE_BUNDLE_SIGNING_KEY: "another-secret-that-is-32-characters-long" } })).toThrow(/another secret/);
    expect(() => openBundle(built.tgz, { env: {} })).toThrow(/AISLE_BUNDLE_SIGNING_KEY/);
    const unsigned = packTarGz(entries.filter((e) => e.path !== "signature.json"));
    expect(() => openBundle(unsigned, { env: HMAC_ENV })).toThrow(/not signed/);
    expect(openBundle(unsigned, { allowUnsigned: true }).verified).toBe(false);
    const smuggled = packTarGz([...entries, { path: "policy/extra.yaml", data: Buffer.from("x") }]);
    expect(() => openBundle(smuggled, { env: HMAC_ENV })).toThrow(/not in its manifest/);
    expect(() => openBundle(Buffer.from("not a bundle"))).toThrow(/not a gzip-compressed bundle/);
  });

  it("signs and verifies with Ed25519 using only the public key on the importing side", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const keyFile = join(dir, "signing.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const opened = openBundle(built.tgz, { env: HMAC_ENV });
    const meta = { ...opened.manifest } as Record<string, unknown>;
    delete meta.bundle_format;
    delete meta.files;
    const contents = opened.manifest.files.map((f) => ({ path: f.path, kind: f.kind, data: opened.files.get(f.path)! }));
    const ed = buildBundle(meta as never, contents, { AISLE_BUNDLE_SIGNING_KEY: keyFile });
    expect(ed.signature?.algorithm).toBe("ed25519");
    const verifyEnv = { AISLE_BUNDLE_VERIFY_KEY: publicKey.export({ type: "spki", format: "pem" }).toString() };
    expect(openBundle(ed.tgz, { env: verifyEnv }).verified).toBe(true);
    const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(() => openBundle(ed.tgz, { env: { AISLE_BUNDLE_VERIFY_KEY: other } })).toThrow(/signed by key/);
  });

  it("installs into another database and the imported deployment answers exactly like the original", async () => {
    const targetPolicies = mkdtempSync(join(dir, "target-packs-"));
    const report = await installBundle(target.pool, openBundle(readFileSync(join(dir, "a.tgz")), { env: HMAC_ENV }), { policyDir: targetPolicies, env: {} });
    expect(report.router_version).toBe("router-bundle-test");
    expect(await activeRouterVersion(target.pool)).toBe("router-bundle-test");
    expect(readdirSync(targetPolicies)).toEqual(["retail.yaml"]);
    expect(readFileSync(join(targetPolicies, "retail.yaml"))).toEqual(readFileSync(join(sourcePolicies, "retail.yaml")));
    expect(report.policy_version).toBe(built.manifest.policy_version);

    const imported = await createAisleRuntime({ pool: target.pool, llm: null, policies: PolicyEngine.load(targetPolicies) });
    try {
      for (const [i, script] of SCENARIOS.entries()) {
        const [a, b] = await Promise.all([play(sourceRuntime, script, `orig-${i}`), play(imported, script, `imported-${i}`)]);
        expect(b).toEqual(a);
        expect(a.every((t) => t.reply)).toBe(true);
      }
      // The cancellation really happened on both databases, identically.
      const status = async (db: TestDatabase) => (await db.pool.query("SELECT status FROM orders WHERE order_id = '#W5918442'")).rows[0]?.status;
      expect(await status(target)).toBe(await status(source));
    } finally {
      await imported.close();
    }
  });

  it("refuses to install onto a database that lacks the bundle's migrations, changing nothing", async () => {
    const opened = openBundle(built.tgz, { env: HMAC_ENV });
    const future = { ...opened, manifest: { ...opened.manifest, schema_migrations: [...opened.manifest.schema_migrations, "0099_future"] } };
    const policyDir = mkdtempSync(join(dir, "refused-"));
    await expect(installBundle(target.pool, future, { policyDir })).rejects.toThrow(/0099_future/);
    expect(readdirSync(policyDir)).toEqual([]);
  });

  it("diff shows what changed between two bundles", async () => {
    const changed = mkdtempSync(join(dir, "changed-packs-"));
    cpSync(sourcePolicies, changed, { recursive: true });
    const pack = join(changed, "retail.yaml");
    writeFileSync(pack, readFileSync(pack, "utf8").replace("manager_discount_cap_pct: 40.0", "manager_discount_cap_pct: 35.0").replace(/^version: .*$/m, "version: 1.1.0"));
    const { meta, contents } = await collectDeployment({
      pool: source.pool,
      graph: sourceRuntime.graph,
      policyDir: changed,
      env: { OPENAI_API_KEY: "x", AISLE_LLM_MODEL: "gpt-4.1-mini" },
    });
    const b = buildBundle(meta, contents, HMAC_ENV);
    const d = diffBundles(openBundle(built.tgz, { env: HMAC_ENV }), openBundle(b.tgz, { env: HMAC_ENV }));
    expect(d.files.changed).toEqual(["config/runtime.json", "policy/retail.yaml"]);
    expect(d.policies.packs).toEqual([{ pack: "retail", from: "1.0.1", to: "1.1.0" }]);
    expect(d.policies.params_changed).toEqual([{ path: "retail.manager_discount_cap_pct", from: "40", to: "35" }]);
    expect(d.config.map((c) => c.path)).toContain("tiers.llm.model");
    expect(d.graph.nodes_added).toEqual([]);
    expect(d.router).toBeNull();
    expect(formatDiff(d)).toContain("pack retail: 1.0.1 → 1.1.0");
    expect(formatDiff(diffBundles(openBundle(built.tgz, { env: HMAC_ENV }), openBundle(built.tgz, { env: HMAC_ENV })))).toContain("identical");
    expect(existsSync(join(dir, "a.tgz"))).toBe(true);
  });
});
