import type { Command } from "commander";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createAisleRuntime } from "../../graphs/runtime.ts";
import { DEFAULT_POLICY_DIR } from "../../policies/index.ts";
import { buildBundle, openBundle } from "../../bundles/bundle.ts";
import { collectDeployment } from "../../bundles/collect.ts";
import { installBundle } from "../../bundles/install.ts";
import { diffBundles, formatDiff, isEmptyDiff } from "../../bundles/diff.ts";
import { UsageError, action, info, withDatabase } from "../runtime.ts";

function readBundleFile(path: string): Buffer {
  if (!existsSync(path)) throw new UsageError(`no such bundle: ${path}`);
  return readFileSync(path);
}

export function registerBundleCommands(program: Command): void {
  const bundle = program
    .command("bundle")
    .description("Export, import and compare orchestration bundles (graph, configuration, rules, router, prompts)")
    .addHelpText(
      "after",
      `
Signing: set AISLE_BUNDLE_SIGNING_KEY to an Ed25519 private key (PEM text or a file path) or to a
shared secret of at least 32 characters (HMAC-SHA256). Importers verify Ed25519 bundles with the
public key in AISLE_BUNDLE_VERIFY_KEY, HMAC bundles with the same secret.`,
    );

  bundle
    .command("export")
    .description("Pack this deployment into a signed .tgz bundle")
    .requiredOption("-o, --out <file>", "bundle file to write (e.g. aisle-bundle.tgz)")
    .option("--policies <dir>", "rule packs to include", DEFAULT_POLICY_DIR)
    .option("--name <name>", "bundle name recorded in the manifest")
    .action(
      action(async (opts: { out: string; policies: string; name?: string }) => {
        const out = resolve(opts.out);
        if (!existsSync(dirname(out))) throw new UsageError(`directory ${dirname(out)} does not exist`);
        if (!existsSync(opts.policies)) throw new UsageError(`no rule packs at ${opts.policies}`);
        await withDatabase(async ({ pool }) => {
          const runtime = await createAisleRuntime({ pool });
          try {
            const { meta, contents } = await collectDeployment({ pool, graph: runtime.graph, policyDir: opts.policies, name: opts.name });
            const built = buildBundle(meta, contents);
            writeFileSync(`${out}.partial`, built.tgz);
            renameSync(`${out}.partial`, out);
            info(`Bundle ${meta.name}: ${built.manifest.files.length} files, router ${meta.router_version}, policies ${meta.policy_version}`);
            info(built.signature ? `Signed (${built.signature.algorithm}, key ${built.signature.key_id}).` : "UNSIGNED: set AISLE_BUNDLE_SIGNING_KEY to sign bundles.");
            info(`Wrote ${out} (sha256 ${built.sha256}).`);
          } finally {
            await runtime.close();
          }
        });
      }),
    );

  bundle
    .command("import")
    .description("Verify a bundle and install it into this Aisle (router version, rule packs)")
    .argument("<file>", "bundle .tgz")
    .option("--policies <dir>", "where to install the rule packs", DEFAULT_POLICY_DIR)
    .option("--allow-unsigned", "install a bundle that carries no signature")
    .action(
      action(async (file: string, opts: { policies: string; allowUnsigned?: boolean }) => {
        const opened = openBundle(readBundleFile(file), { allowUnsigned: opts.allowUnsigned });
        info(opened.verified ? `Signature verified (${opened.signature!.algorithm}, key ${opened.signature!.key_id}); all ${opened.manifest.files.length} files match their hashes.` : `UNSIGNED bundle; all ${opened.manifest.files.length} files match their hashes.`);
        await withDatabase(async ({ pool }) => {
          const report = await installBundle(pool, opened, { policyDir: resolve(opts.policies) });
          if (report.router_version) info(`Router ${report.router_version} registered and active.`);
          if (report.policy_version) info(`Rule packs installed in ${resolve(opts.policies)}: ${report.policy_files.join(", ")} (${report.policy_version}).`);
          for (const w of report.warnings) info(`warning: ${w}`);
          info(`Imported ${opened.manifest.name}.`);
        });
      }),
    );

  bundle
    .command("diff")
    .description("Show what changed between two bundles (graph, configuration, rules, router)")
    .argument("<a>", "older bundle")
    .argument("<b>", "newer bundle")
    .option("--json", "print the diff as JSON")
    .action(
      action(async (a: string, b: string, opts: { json?: boolean }) => {
        // Comparing needs no key: hashes are still checked, signatures are not.
        const d = diffBundles(openBundle(readBundleFile(a), { verify: false }), openBundle(readBundleFile(b), { verify: false }));
        process.stdout.write(`${opts.json ? JSON.stringify(d, null, 2) : formatDiff(d)}\n`);
        return isEmptyDiff(d) ? 0 : 1;
      }),
    );
}
