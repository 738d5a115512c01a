import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { RunnableConfig } from "@langchain/core/runnables";

export interface CheckpointFence {
  /** From now on, drop every checkpoint write of run `runId` (its config's `run_id`). */
  fence(runId: string): void;
}

type Saver = Record<string, (...a: unknown[]) => Promise<unknown>> & { __fence?: CheckpointFence };

/**
 * Lets the executor discard what a cancelled run writes after it was cancelled. An aborted run's
 * graph loop still finishes in the background: under durability "exit" it always writes one last
 * checkpoint on the way out, and under "sync" a step's write may be in flight. For a rollback (the
 * run must vanish) or an interrupted "exit" run (which had written nothing yet), such a late write
 * would land after the executor moved on — resurrecting a rolled-back turn, or forking the thread
 * under the next run. Fenced runs' writes are dropped instead.
 */
export function fenceCheckpointWrites(checkpointer: BaseCheckpointSaver): CheckpointFence {
  const saver = checkpointer as unknown as Saver;
  if (saver.__fence) return saver.__fence;
  const fenced = new Set<string>();
  const runOf = (config: unknown) => (config as RunnableConfig | undefined)?.configurable?.run_id as string | undefined;
  const isFenced = (config: unknown) => {
    const id = runOf(config);
    return id !== undefined && fenced.has(id);
  };
  const put = saver.put!.bind(saver);
  const putWrites = saver.putWrites!.bind(saver);
  saver.put = async (config, checkpoint, ...rest) => {
    if (!isFenced(config)) return put(config, checkpoint, ...rest);
    // What put would have answered, so the library's loop carries on to its end.
    const c = (config as RunnableConfig).configurable ?? {};
    return { configurable: { thread_id: c.thread_id, checkpoint_ns: c.checkpoint_ns ?? "", checkpoint_id: (checkpoint as { id: string }).id } };
  };
  saver.putWrites = async (config, ...rest) => (isFenced(config) ? undefined : putWrites(config, ...rest));
  const fence: CheckpointFence = {
    fence(runId) {
      fenced.add(runId);
      // A cancelled loop ends within moments; keep the id long enough, then forget it.
      setTimeout(() => fenced.delete(runId), 10 * 60_000).unref();
    },
  };
  saver.__fence = fence;
  return fence;
}
