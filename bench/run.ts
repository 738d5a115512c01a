/**
 * `npm run bench [-- --quick]`: runs every benchmark and rewrites the load section of
 * docs/BENCHMARKS.md (between `<!-- bench:load -->` and `<!-- /bench:load -->`; other sections are
 * left alone). The other parts' micro-benchmarks (router, governance, turn, export, seed) run as
 * child processes with their own output; their numbers live in their own sections.
 *
 *   npm run bench                 # full: load at 10/50/100 turns/s + saturation on aisle, aisle-adaptive, peer, floor
 *   npm run bench -- --quick      # about a minute: aisle, aisle-adaptive, floor at 10 turns/s + saturation, micro
 *   npm run bench -- --no-others  # only this runner's own benchmarks
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must be a server where
 * databases can be created; all traffic is on 127.0.0.1.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runLoad, type PhaseResult, type Target } from "./load.ts";
import { runFramework, type FrameworkResult } from "./framework.ts";
import { runMicro, type MicroResult } from "./micro.ts";
import { fmt, loadAverage, machineInfo } from "./support.ts";
import { FINDINGS } from "./findings.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const DOC = `${REPO}docs/BENCHMARKS.md`;
const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`Usage: npm run bench [-- --quick] [-- --no-others]

Runs Aisle's benchmarks and rewrites the load section of docs/BENCHMARKS.md.
  (default)     load at 10/50/100 turns/s + saturation on aisle, aisle-adaptive, aisle-2w, the langgraph dev
                peer and the bare floor; micro-benchmarks; framework floor; the other benchmarks
  --quick       short phases, no peer, no framework floor, only the fast other benchmarks
  --no-others   skip the other parts' benchmarks (router, governance, turn, export, seed)
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
One target or rate: npx tsx bench/load.ts --help
`);
  process.exit(0);
}
const quick = args.includes("--quick");
const log = (s: string) => process.stderr.write(`${s}\n`);
const started = Date.now();
const loadAtStart = loadAverage();

/** Others' micro-benchmarks, run as they document them (quick mode: the fast ones only). */
const OTHERS: { file: string; args: string[]; quick: boolean }[] = [
  { file: "router.ts", args: [], quick: false },
  { file: "governance.ts", args: ["--iterations", "2000"], quick: false },
  { file: "turn.ts", args: ["--runs", "5"], quick: false },
  { file: "export.ts", args: ["--turns", "20000", "--format", "openai"], quick: false },
  { file: "seed.ts", args: ["--runs", "1"], quick: false },
];
if (!args.includes("--no-others")) {
  for (const o of OTHERS) {
    if (quick && !o.quick) continue;
    if (!existsSync(`${REPO}bench/${o.file}`)) continue;
    log(`[bench] bench/${o.file} ${o.args.join(" ")}`);
    const r = spawnSync(process.execPath, ["--import", "tsx", `bench/${o.file}`, ...o.args], { cwd: REPO, stdio: "inherit", timeout: 15 * 60_000 });
    if (r.status !== 0) log(`[bench] bench/${o.file} exited with ${r.status ?? r.signal}`);
  }
}

const load = await runLoad(
  quick
    ? { targets: ["aisle", "aisle-adaptive", "floor"] as Target[], rates: [10], seconds: 2, saturationSeconds: 3, concurrency: 32, freshPerPhase: false, log }
    : { targets: ["aisle", "aisle-adaptive", "aisle-2w", "peer", "floor"] as Target[], rates: [10, 50, 100], seconds: 10, saturationSeconds: 10, concurrency: 32, log },
);
const micro = await runMicro({ n: quick ? 100 : 500, log });
const framework = quick ? undefined : await runFramework({ conversations: 20, floorRuns: 1000, log });

writeFileSync(DOC, render(load, micro.results, framework));
log(`[bench] wrote the load section of docs/BENCHMARKS.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);

function render(load: PhaseResult[], micro: MicroResult[], fw?: FrameworkResult): string {
  const doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const start = "<!-- bench:load -->";
  const end = "<!-- /bench:load -->";
  const section = `${start}\n${body(load, micro, fw)}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  return i >= 0 && j > i ? doc.slice(0, i) + section + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
}

function body(load: PhaseResult[], micro: MicroResult[], fw?: FrameworkResult): string {
  const L: string[] = [];
  const find = (t: Target, phase: string) => load.find((r) => r.target === t && r.phase.startsWith(phase));
  L.push("## Load: HTTP turns, framework floor, peer");
  L.push("");
  L.push(`_Written by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; do not edit by hand._`);
  L.push("");
  L.push(`Machine: ${machineInfo()}. Load average (1/5/15 min) at start ${loadAtStart}, at end ${loadAverage()} — the box is shared, so compare ratios taken in the same run rather than absolute numbers across runs.`);
  L.push("");
  L.push("```");
  L.push("DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench            # full");
  L.push("DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- --quick # < 1 min");
  L.push("npx tsx bench/load.ts --targets aisle --rates 50 --seconds 10                     # one target/rate");
  L.push("node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/framework.ts && npx tsx bench/profile.ts /tmp/prof/*.cpuprofile");
  L.push("```");
  L.push("");
  L.push(
    "Traffic: τ-bench customers, one API key each, five-turn conversations — _I need to cancel an order_ → e-mail (authenticates) → order id → reason → _yes_ (one `cancel_pending_order` write with its idempotency key) — over HTTP with `@langchain/langgraph-sdk` (`runs.wait`), local tier, PostgreSQL checkpoints (durability `sync`, the server default; target `aisle-adaptive` is the same server with `AISLE_DURABILITY=adaptive`, `aisle-2w` that with `--workers 2`, RSS summed over its processes). " +
      "Fixed rates are open-loop (latency counted from the scheduled send time); saturation is closed-loop with 32 clients. Each phase starts on a fresh clone of a seeded database and a fresh server process; RSS is the server's after the phase (peak in brackets).",
  );
  L.push("");
  L.push("| target | phase | turns | errors | throughput (turns/s) | p50 ms | p95 ms | p99 ms | RSS MB | writes | load avg |");
  L.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of load) {
    L.push(`| ${r.target} | ${r.phase} | ${r.turns} | ${r.errors} | ${fmt(r.throughput)} | ${fmt(r.latency.p50)} | ${fmt(r.latency.p95)} | ${fmt(r.latency.p99)} | ${fmt(r.rssMb ?? NaN, 0)} (${fmt(r.peakRssMb ?? NaN, 0)}) | ${r.writes ?? "–"} | ${r.load.split(" / ")[0]} |`);
  }
  L.push("");
  const a50 = find("aisle", "50 ");
  const aSat = find("aisle", "saturation");
  const peerSat = find("peer", "saturation");
  const floorSat = find("floor", "saturation");
  const peer50 = find("peer", "50 ");
  const floor50 = find("floor", "50 ");
  // The RSS target is per server process: the single-process targets.
  const peakRss = Math.max(...load.filter((r) => r.target === "aisle" || r.target === "aisle-adaptive").map((r) => r.peakRssMb ?? 0));
  L.push("Targets (issue 9) in this run:");
  L.push("");
  L.push(`| target | goal | measured | met |`);
  L.push(`| --- | --- | --- | --- |`);
  const yes = (b: boolean) => (b ? "yes" : "**no**");
  if (aSat) L.push(`| sustained throughput | ≥ 150 turns/s | ${fmt(aSat.throughput)} turns/s (saturation) | ${yes(aSat.throughput >= 150)} |`);
  const adSat = find("aisle-adaptive", "saturation");
  if (adSat) L.push(`| sustained throughput, AISLE_DURABILITY=adaptive | ≥ 150 turns/s | ${fmt(adSat.throughput)} turns/s (saturation) | ${yes(adSat.throughput >= 150)} |`);
  const w2Sat = find("aisle-2w", "saturation");
  if (w2Sat) L.push(`| sustained throughput, adaptive + \`--workers 2\` | ≥ 150 turns/s | ${fmt(w2Sat.throughput)} turns/s (saturation) | ${yes(w2Sat.throughput >= 150)} |`);
  if (a50) L.push(`| p50 at 50 turns/s | ≤ 15 ms | ${fmt(a50.latency.p50)} ms | ${yes(a50.latency.p50 <= 15)} |`);
  if (a50) L.push(`| p99 at 50 turns/s | ≤ 60 ms | ${fmt(a50.latency.p99)} ms | ${yes(a50.latency.p99 <= 60)} |`);
  L.push(`| server RSS | ≤ 300 MB | ${fmt(peakRss, 0)} MB peak | ${yes(peakRss <= 300)} |`);
  if (fw) L.push(`| cost per turn vs LangGraph floor | ≤ 1.5× | ${fmt(fw.ratio, 2)}× | ${yes(fw.ratio <= 1.5)} |`);
  L.push("");
  const ratio = (x?: PhaseResult, y?: PhaseResult) => (x && y ? `${fmt(x.throughput / y.throughput, 2)}× throughput` : "–");
  const lat = (x?: PhaseResult, y?: PhaseResult) => (x && y ? `${fmt(x.latency.p50 / y.latency.p50, 2)}× p50` : "–");
  L.push("Ratios (same run):");
  L.push("");
  L.push(`- Aisle / peer (\`langgraph dev\` 1.5.1, same graph): saturation ${ratio(aSat, peerSat)}; at 50 turns/s ${lat(a50, peer50)}.`);
  L.push(`- Aisle / floor (bare Express + one commit): saturation ${ratio(aSat, floorSat)}; at 50 turns/s ${lat(a50, floor50)}.`);
  L.push("");
  const withNodes = a50 ?? aSat;
  if (withNodes?.nodes) {
    L.push(`Per-node mean latency at ${withNodes.phase} (from \`aisle_node_duration_seconds\` on /metrics; nodes run once or more per turn), and checkpoint writes (\`aisle_checkpoint_write_seconds\`):`);
    L.push("");
    L.push("| node | runs | mean ms |");
    L.push("| --- | --- | --- |");
    for (const [n, v] of Object.entries(withNodes.nodes).sort((x, y) => y[1].mean * y[1].count - x[1].mean * x[1].count)) L.push(`| ${n} | ${v.count} | ${fmt(v.mean, 2)} |`);
    for (const [n, v] of Object.entries(withNodes.checkpoint ?? {})) L.push(`| checkpoint ${n} | ${v.count} | ${fmt(v.mean, 2)} |`);
    L.push("");
  }
  if (fw) {
    L.push("### Framework floor (in process, no HTTP)");
    L.push("");
    L.push("Aisle's topology with empty nodes on LangGraph.js alone (`invoke`, no checkpointer), by path length, and Aisle's compiled graph on the same conversations:");
    L.push("");
    L.push("| graph | super-steps/turn | p50 ms | mean ms |");
    L.push("| --- | --- | --- | --- |");
    for (const f of fw.floor) L.push(`| empty nodes, ${f.loops} tool round trip(s) | ${f.steps} | ${fmt(f.p50, 2)} | ${fmt(f.mean, 2)} |`);
    for (const x of fw.aisle) L.push(`| Aisle, ${x.variant}${x.commitsPerTurn ? ` (~${fmt(x.commitsPerTurn, 0)} commits/turn)` : ""} | ${fmt(x.stepsPerTurn)} | ${fmt(x.p50, 2)} | ${fmt(x.mean, 2)} |`);
    L.push("");
    L.push(`Floor at Aisle's mean path (${fmt(fw.aisle[0]!.stepsPerTurn)} super-steps): ${fmt(fw.floorAtAisleSteps, 2)} ms; Aisle with in-memory checkpoints costs **${fmt(fw.ratio, 2)}×** that (target ≤ 1.5×).`);
    L.push("");
  }
  L.push("### Micro-benchmarks (checkpoint write, context-stitch)");
  L.push("");
  L.push("| operation | n | p50 ms | p95 ms | note |");
  L.push("| --- | --- | --- | --- | --- |");
  for (const m of micro) L.push(`| ${m.name} | ${m.n} | ${fmt(m.stats.p50, 2)} | ${fmt(m.stats.p95, 2)} | ${m.note ?? ""} |`);
  L.push("");
  L.push(FINDINGS);
  return L.join("\n");
}

