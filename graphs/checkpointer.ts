import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { WRITES_IDX_MAP, type Checkpoint, type CheckpointMetadata, type PendingWrite } from "@langchain/langgraph-checkpoint";
import type pg from "pg";
import type { RunnableConfig } from "@langchain/core/runnables";

type Versions = Record<string, string | number>;

const asBuffer = (u: Uint8Array | undefined | null) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : null);

/**
 * PostgresSaver with the same tables, rows and reads, but each write in ONE statement: `put` upserts
 * the changed channel blobs and the checkpoint row in a single INSERT with a data-modifying CTE, and
 * `putWrites` inserts all of a task's writes with one `unnest`. The library sends BEGIN, one INSERT
 * per blob (or write), the checkpoint INSERT and COMMIT — ≈ 5–20 sequential round trips per
 * super-step, each a wake-up of Node and a PostgreSQL backend. A single statement commits
 * atomically on its own, so durability is unchanged: with `sync` the checkpoint is committed before
 * the next step runs, exactly as before (kill -9 safety and tool-call idempotency rely on that).
 */
export class AislePostgresSaver extends PostgresSaver {
  private readonly writer: pg.Pool;

  constructor(pool: pg.Pool, ...rest: ConstructorParameters<typeof PostgresSaver> extends [unknown, ...infer R] ? R : never) {
    super(pool, ...rest);
    this.writer = pool;
  }

  private get tables() {
    const schema = (this as unknown as { options: { schema: string } }).options.schema;
    return { blobs: `"${schema}".checkpoint_blobs`, checkpoints: `"${schema}".checkpoints`, writes: `"${schema}".checkpoint_writes` };
  }

  /**
   * The library's setup, safe when several processes start on a fresh database at once (replicas,
   * `aisle serve --workers`): the loser of the race fails on the migrations table or an existing
   * relation, and simply runs setup again, which then finds the work done.
   */
  override async setup(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.setup();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 5 || !["23505", "42P07", "42710"].includes(code ?? "")) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: Versions): Promise<RunnableConfig> {
    if (config.configurable === undefined) throw new Error(`Missing "configurable" field in "config" param`);
    const { thread_id, checkpoint_ns = "", checkpoint_id } = config.configurable;
    const nextConfig = { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
    const self = this as unknown as {
      _dumpCheckpoint(c: Checkpoint): unknown;
      _dumpBlobs(t: string, ns: string, values: Record<string, unknown>, v: Versions): Promise<[string, string, string, string, string, Uint8Array | undefined][]>;
      _dumpMetadata(m: CheckpointMetadata): Promise<unknown>;
    };
    const [blobs, meta] = await Promise.all([self._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions), self._dumpMetadata(metadata)]);
    const t = this.tables;
    await this.writer.query(
      `WITH blobs AS (
         INSERT INTO ${t.blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
         SELECT $1, $2, b.channel, b.version, b.type, b.blob
           FROM unnest($7::text[], $8::text[], $9::text[], $10::bytea[]) AS b(channel, version, type, blob)
         ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING
       )
       INSERT INTO ${t.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata`,
      [
        thread_id,
        checkpoint_ns,
        checkpoint.id,
        checkpoint_id,
        self._dumpCheckpoint(checkpoint),
        meta,
        blobs.map((b) => b[2]),
        blobs.map((b) => b[3]),
        blobs.map((b) => b[4]),
        blobs.map((b) => asBuffer(b[5])),
      ],
    );
    return nextConfig;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    if (!writes.length) return;
    const upsert = writes.every((w) => w[0] in WRITES_IDX_MAP);
    const self = this as unknown as {
      _dumpWrites(t: string, ns: string, id: string, task: string, w: PendingWrite[]): Promise<[string, string, string, string, number, string, string, Uint8Array][]>;
    };
    const c = config.configurable ?? {};
    const dumped = await self._dumpWrites(c.thread_id, c.checkpoint_ns, c.checkpoint_id, taskId, writes);
    // Special channels share a fixed idx; the library's one-by-one upserts leave the last one, and a
    // single statement may not touch a row twice, so keep the last write per idx.
    const rows = [...new Map(dumped.map((r) => [r[4], r])).values()];
    await this.writer.query(
      `INSERT INTO ${this.tables.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
       SELECT $1, $2, $3, $4, w.idx, w.channel, w.type, w.blob
         FROM unnest($5::int[], $6::text[], $7::text[], $8::bytea[]) AS w(idx, channel, type, blob)
       ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) ${
         upsert ? "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob" : "DO NOTHING"
       }`,
      [
        rows[0]![0],
        rows[0]![1],
        rows[0]![2],
        taskId,
        rows.map((r) => r[4]),
        rows.map((r) => r[5]),
        rows.map((r) => r[6]),
        rows.map((r) => asBuffer(r[7])),
      ],
    );
  }
}
