/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by where self time is spent: package
 * (node_modules/<pkg>), Aisle folder (graphs/, nodes/, traces/…), node internals, GC/idle; and the
 * top functions. Usage: npx tsx bench/profile.ts <file.cpuprofile> [--top 25]
 */
import { readFileSync } from "node:fs";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export function bucketOf(url: string, fn: string): string {
  if (!url) return fn === "(garbage collector)" ? "(gc)" : fn === "(idle)" ? "(idle)" : fn === "(program)" ? "(program)" : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node:internal";
  const m = url.match(/\/work\/main\/([^/]+)\//);
  return m ? `aisle:${m[1]}` : url;
}

export function summarise(file: string, top = 25) {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const buckets = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const b = bucketOf(n.callFrame.url, n.callFrame.functionName);
    buckets.set(b, (buckets.get(b) ?? 0) + us);
    const f = `${n.callFrame.functionName || "(anonymous)"} ${b}:${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}`;
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const pct = (us: number) => ((100 * us) / total).toFixed(1);
  return {
    totalMs: total / 1000,
    buckets: [...buckets].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ where: k, pct: Number(pct(us)) })),
    functions: [...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ fn: k, pct: Number(pct(us)) })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = summarise(process.argv[2]!, Number(process.argv[process.argv.indexOf("--top") + 1] ?? 25) || 25);
  console.log(`total sampled ${s.totalMs.toFixed(0)} ms`);
  for (const b of s.buckets.slice(0, 20)) console.log(`${String(b.pct).padStart(5)}%  ${b.where}`);
  console.log("");
  for (const f of s.functions) console.log(`${String(f.pct).padStart(5)}%  ${f.fn}`);
}
