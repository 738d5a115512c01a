/** What profiling found (hand-written from `bench/framework.ts --cpu-prof` + `bench/profile.ts`; update when re-profiled). */
export const FINDINGS = `### Where a turn's time goes (profile findings)

Profile: \`node --cpu-prof\` of bench/framework.ts (Aisle's graph in process, 20 cancel conversations per
durability mode), summarised by bench/profile.ts. Self time by package, on the loaded box (load ≈ 7):
idle — waiting for PostgreSQL — 28%; Node internals 17% (of which \`randomFillSync\`, i.e. UUID
generation, 5%); \`@langchain/langgraph\` 13%; \`@langchain/core\` 10%; GC 9%; \`langsmith\` 7.5%;
checkpoint serde 2%; **Aisle's own code (nodes, governance, models, traces, graphs) < 2%**.

- **Callbacks/tracing.** With no handler configured (Aisle passes none; \`LANGSMITH_TRACING\` unset) no
  tracer runs, yet every node and every edge function goes through \`@langchain/core\`'s
  \`AsyncLocalStorageProviderSingleton.runWithConfig\`, which builds a langsmith \`RunTree\` (with
  tracing disabled) per call: \`RunTree\` construction, its UUIDs, date strings and environment lookups
  are ≈ 12% of CPU. LangGraph's \`RunnableCallable\` does not pass \`avoidCreatingRootRunTree\`, and no
  supported option turns it off; it is the largest framework cost we found and an upstream issue.
  \`ensureConfig\`/\`mergeConfigs\`/\`patchConfig\` (config copying per task) are another ≈ 4%.
- **Stream machinery.** \`runs.wait\` streams \`values\` only; the server adds \`messages\` (a callback
  handler on every model call) only when a client asks for it, and node timings come from the
  graph's own \`onNodeEnd\` hook rather than a \`tasks\` stream.
- **Checkpoints.** Serialising a checkpoint is cheap (≈ 10 KiB of channel values after four turns,
  \`put\` p50 ≈ 1.5 ms below); the cost is the commits: ≈ 28–31 commits per turn with durability
  \`sync\`/\`async\` (a \`put\` per super-step plus \`putWrites\` per task) against ≈ 12 with \`exit\`.
  Aisle keeps \`sync\` as the server default: it is what makes a crash replay the same tool-call ids,
  so idempotency keys make consequential writes exactly-once (docs/RELIABILITY.md). \`exit\` is safe
  only for read-only traffic; a run may ask for it (\`durability\` in the run payload).
- **Aisle's nodes.** Under load the node time is database time: \`tools\` (τ-bench reads and the
  write transaction) and \`audit\` (hash-chained append under a per-thread advisory lock plus the
  trace-store write) dominate; the CPU-only nodes (dataPrep, router, policy, agents, governance) are
  ≈ 1–3 ms together.
- **Ratio to the floor.** The empty-node floor shares all of the per-node framework overhead above,
  so the ratio measures what Aisle adds per turn: its state is larger (≈ 20 channels, a growing
  message list copied and serialised per step) and its nodes wait for PostgreSQL (tools, audit,
  traces). On this shared box both dominate; they, not the framework, are where further speed-ups lie
  (batching the audit and trace writes into one transaction per turn is the obvious next step).

### Performance findings (2026-11-23)

Per-turn cost measured in process (12 five-turn cancel conversations, sync durability, statements and
CPU counted by wrapping \`pg.Client.query\` and \`process.cpuUsage\`; wall times on a box at load 5–12
from other suites, so compare counts and CPU rather than milliseconds):

- **Round trips, not CPU, dominate.** Under saturation the server was ≈ 50% idle while PostgreSQL
  sessions sat \`idle in transaction\` waiting for Node: each statement is a socket write and a
  backend wake-up (\`writev\` alone was ≈ 11% of the server's CPU), and \`sync\` durability makes every
  super-step wait for its commits.
- **Checkpoints** (\`graphs/checkpointer.ts\`): \`PostgresSaver\` sent BEGIN, one INSERT per changed
  channel blob / per write, the checkpoint INSERT and COMMIT. \`AislePostgresSaver\` writes the same
  rows in one statement per \`put\`/\`putWrites\` (still committed before the next step, so kill -9
  safety and tool-call idempotency hold): put(6 blobs)+putWrites(3) 20–27 → 14–15 ms wall, 3.2–4.8 →
  2.1–2.3 ms CPU.
- **Audit + trace** (\`nodes/audit.ts\`): one transaction of five statements instead of two
  transactions and ~14 statements: 42.3 → 35.5 statements/turn, 2.2 → 1.2 commits/turn, 86 → 77 ms
  CPU/turn, in-process p50 148 → 98 ms.
- **Run bookkeeping** (\`server/runExecutor.ts\`): \`checkpoint_before\` recorded by the claiming
  UPDATE (no full state read per run), run end + thread state in one statement: 6 statements → 1.
- **Still open.** ≈ 35 statements/turn remain, most of them LangGraph's own \`put\` + \`putWrites\` per
  super-step and task under \`sync\` (≈ 10 super-steps/turn); fewer needs either fewer super-steps
  (grouping nodes, which would hide layers in traces) or an upstream batched-write API. The disabled
  langsmith \`RunTree\` per node (≈ 4–12% CPU) has no supported switch (langchainjs PR #10043 closed
  unmerged). \`synchronous_commit=off\` for checkpoint writes only would keep the ordering guarantee
  (a later synchronous tool or run-end commit flushes the WAL before it) and is the next candidate;
  not done. Run concurrency (16) exceeds the default pool (\`AISLE_PG_POOL_MAX\`=10); not tuned here.
  The issue-9 targets (≥ 150 turns/s, p50 ≤ 15 ms at 50 turns/s, ≤ 1.5× the floor) are **not met**.
- **The "unexplained HTTP result" (2.2 turns/s) was the box, not a regression.** Re-measured on
  2026-12-07 on a quiet box (load ≈ 1.5 instead of ≈ 19 from other suites): the served process
  saturates at 13–14 turns/s with \`sync\` (p50 116–122 ms at 10 turns/s), and \`langgraph dev\` (the
  peer) at 17–21 turns/s in the same run. The server is bound by its one JavaScript thread, not by
  PostgreSQL: in process a turn costs 47–58 ms of CPU with \`sync\` and ≈ 39 ms with \`exit\`, while
  PostgreSQL sessions wait on the client (\`ClientRead\`) most of the time.

### Performance findings (2026-12-07)

- **Statements per served turn** (counted by wrapping \`pg.Client.query\` around the real server):
  58.5 → 39 with \`AISLE_DURABILITY=adaptive\` plus two server changes — run events flushed every
  100 ms instead of 50 ms (readers on other replicas poll at 100 ms, so they never saw the difference)
  and one thread read per run admission instead of two.
- **\`AISLE_DURABILITY=adaptive\`** (graphs/durability.ts): \`sync\` only for a turn whose message could
  confirm a consequential action (the only turns in which governance lets a write tool run), \`exit\`
  for every other turn, which a crash re-runs from its input. The kill -9 test runs under both modes.
  Same run, same box: saturation 11.8 → 20.9 turns/s (1.8×), p95 at 10 turns/s 460 → 147 ms. It is
  opt-in because a non-acting turn then keeps one checkpoint instead of one per step, and Studio's
  time travel on app threads steps through such a turn as a whole (Studio's own runs ask for
  \`sync\`).
- **Why ≥ 150 turns/s is out of reach here.** On two cores, 150 turns/s leaves ≈ 13 ms of CPU per
  turn for everything: the server's JavaScript, PostgreSQL and the load generator. LangGraph alone,
  on Aisle's topology with empty nodes and no checkpointer, takes 3.5–7.5 ms of it (7–16
  super-steps; 6–11 ms when the box is loaded); Aisle's graph with an in-memory checkpointer takes
  ≈ 29 ms p50 in process (the reads of context-stitch and the tools, the audit + trace transaction,
  the embedded model, governance), ≈ 35 ms with PostgreSQL checkpoints. Replicas or
  \`--workers\` spread that over cores, but there are only two here, shared with PostgreSQL. The
  remaining levers are upstream (the disabled \`RunTree\` per node, per-task config copying),
  fewer super-steps (grouping layers, which would hide them in traces) or dropping per-turn
  durability work (audit, trace, checkpoints), which Aisle will not do.
- **Two worker processes** (\`aisle serve --workers 2\`, bench target \`aisle-2w\`, adaptive durability):
  22.9 turns/s at saturation against 20.4 for one process and 17.3 for \`sync\` in the same run
  (2026-12-07, load ≈ 2; the full run above: 26.1 vs 23.8 vs 19.5, and 32.5 vs 26.6 vs 17.7 when
  offered 100 turns/s): on two cores the second process mostly competes with PostgreSQL and the
  load generator for the same CPU, so it buys ≈ 10–20% here, at the price of a second copy of the
  runtime (RSS of the process tree 660–775 MB). On a machine with spare cores it is the way to use
  them.
- **Memory.** One server process: ≈ 260 MB at 10 turns/s, 310–340 MB at saturation with 32
  clients (over the 300 MB target), and 410–495 MB when offered 50–100 turns/s, above capacity,
  where hundreds of queued runs and their open HTTP requests wait. Finished runs' events stay in
  memory for 30 s for clients that re-attach, which grows with throughput; the heap was not profiled
  further.`;
