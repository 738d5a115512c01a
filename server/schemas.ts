import { z } from "zod";

/**
 * Every request the server accepts, declared once: handlers validate with these, TypeScript types
 * come from them and `/openapi.json` is generated from them. Field names and shapes follow the
 * LangGraph Agent Server API that `@langchain/langgraph-sdk` speaks.
 */

export const Uuid = z.uuid({ message: "must be a UUID" });
const Metadata = z.record(z.string(), z.unknown());
const JsonObject = z.record(z.string(), z.unknown());
const Limit = z.number().int().min(1).max(1000);
const Offset = z.number().int().min(0).max(1_000_000);

export const ThreadIdParams = z.object({ thread_id: Uuid });
export const RunParams = z.object({ thread_id: Uuid, run_id: Uuid });
export const CheckpointParams = z.object({ thread_id: Uuid, checkpoint_id: z.string().min(1).max(100) });
export const AssistantParams = z.object({ assistant_id: z.string().min(1).max(200) });

export const Checkpoint = z.object({
  checkpoint_id: z.string().max(100).nullish(),
  checkpoint_ns: z.string().max(500).nullish(),
  checkpoint_map: JsonObject.nullish(),
  thread_id: z.string().max(100).nullish(),
});

export const ThreadCreate = z.object({
  thread_id: Uuid.nullish(),
  metadata: Metadata.nullish(),
  if_exists: z.enum(["raise", "do_nothing"]).nullish(),
  // Accepted for SDK compatibility; Aisle keeps threads until deleted (see `aisle db prune`).
  ttl: z.unknown().optional(),
  supersteps: z.unknown().optional(),
});

export const ThreadPatch = z.object({
  metadata: Metadata.nullish(),
  ttl: z.unknown().optional(),
});

export const ThreadStatus = z.enum(["idle", "busy", "interrupted", "error"]);
export const ThreadSearch = z.object({
  metadata: Metadata.nullish(),
  ids: z.array(Uuid).max(1000).nullish(),
  status: ThreadStatus.nullish(),
  values: JsonObject.nullish(),
  limit: Limit.nullish(),
  offset: Offset.nullish(),
  sort_by: z.enum(["thread_id", "status", "created_at", "updated_at", "state_updated_at"]).nullish(),
  sort_order: z.enum(["asc", "desc"]).nullish(),
  select: z.array(z.string().max(100)).max(20).nullish(),
  extract: z.unknown().optional(),
});

export const StateQuery = z.object({
  subgraphs: z.enum(["true", "false", "1", "0"]).optional(),
  select: z.union([z.string(), z.array(z.string())]).optional(),
});

export const StateCheckpointBody = z.object({
  checkpoint: Checkpoint,
  subgraphs: z.boolean().nullish(),
  select: z.array(z.string()).nullish(),
});

export const StateUpdate = z.object({
  values: z.union([JsonObject, z.array(JsonObject)]).nullish(),
  checkpoint: Checkpoint.nullish(),
  checkpoint_id: z.string().max(100).nullish(),
  as_node: z.string().max(200).nullish(),
});

export const HistoryRequest = z.object({
  limit: Limit.nullish(),
  before: z.union([z.string().max(100), z.object({ configurable: JsonObject })]).nullish(),
  metadata: JsonObject.nullish(),
  checkpoint: Checkpoint.nullish(),
  select: z.array(z.string()).nullish(),
});

export const StreamMode = z.enum(["values", "updates", "messages-tuple", "messages", "custom", "debug", "events", "tasks", "checkpoints"]);
export type StreamMode = z.infer<typeof StreamMode>;
export const MultitaskStrategy = z.enum(["reject", "enqueue", "interrupt", "rollback"]);
export type MultitaskStrategy = z.infer<typeof MultitaskStrategy>;

export const RunCommand = z.object({
  resume: z.unknown().optional(),
  update: z.unknown().optional(),
  goto: z.unknown().optional(),
});

export const RunConfig = z.object({
  tags: z.array(z.string().max(200)).max(50).nullish(),
  recursion_limit: z.number().int().min(1).max(200).nullish(),
  configurable: JsonObject.nullish(),
  metadata: Metadata.nullish(),
});

export const RunCreate = z.object({
  assistant_id: z.string().min(1).max(200),
  input: z.unknown().optional(),
  command: RunCommand.nullish(),
  stream_mode: z.union([StreamMode, z.array(StreamMode).max(10)]).nullish(),
  stream_subgraphs: z.boolean().nullish(),
  stream_resumable: z.boolean().nullish(),
  config: RunConfig.nullish(),
  context: z.unknown().optional(),
  metadata: Metadata.nullish(),
  checkpoint: Checkpoint.nullish(),
  checkpoint_id: z.string().max(100).nullish(),
  multitask_strategy: MultitaskStrategy.nullish(),
  interrupt_before: z.union([z.literal("*"), z.array(z.string())]).nullish(),
  interrupt_after: z.union([z.literal("*"), z.array(z.string())]).nullish(),
  on_disconnect: z.enum(["cancel", "continue"]).nullish(),
  on_completion: z.enum(["delete", "keep"]).nullish(),
  if_not_exists: z.enum(["create", "reject"]).nullish(),
  durability: z.enum(["sync", "async", "exit"]).nullish(),
  // Accepted for SDK compatibility and ignored.
  feedback_keys: z.unknown().optional(),
  webhook: z.unknown().optional(),
  after_seconds: z.unknown().optional(),
  checkpoint_during: z.unknown().optional(),
  strict_resume: z.unknown().optional(),
  langsmith_tracer: z.unknown().optional(),
});
export type RunCreate = z.infer<typeof RunCreate>;

const flag = z.enum(["true", "false", "1", "0"]).optional();
export const RunStreamQuery = z.object({
  cancel_on_disconnect: flag,
  stream_mode: z.union([StreamMode, z.array(StreamMode)]).optional(),
  namespace: z.unknown().optional(),
  checkpoint_id: z.unknown().optional(),
});
export const RunJoinQuery = z.object({ cancel_on_disconnect: flag });
export const RunCancelQuery = z.object({
  wait: flag,
  action: z.enum(["interrupt", "rollback"]).optional(),
  reason: z.string().max(500).optional(),
});
export const RunListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  status: z.enum(["pending", "running", "error", "success", "timeout", "interrupted"]).optional(),
  select: z.unknown().optional(),
});

export const AssistantSearch = z.object({
  graph_id: z.string().max(200).nullish(),
  name: z.string().max(200).nullish(),
  metadata: Metadata.nullish(),
  limit: Limit.nullish(),
  offset: Offset.nullish(),
  sort_by: z.string().max(50).nullish(),
  sort_order: z.enum(["asc", "desc"]).nullish(),
  select: z.array(z.string()).nullish(),
});
export const AssistantGraphQuery = z.object({ xray: z.union([z.enum(["true", "false"]), z.coerce.number().int()]).optional() });

/** The one-call chat endpoint for clients without the SDK. */
export const ChatRequest = z.object({
  thread_id: Uuid.optional(),
  message: z
    .string()
    .min(1, { message: "must not be empty" })
    .max(Number(process.env.AISLE_MAX_MESSAGE_CHARS ?? 8000), { message: "is too long" }),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/**
 * What a non-admin caller may send as run input: new user messages only. Clients never write other
 * state channels (authenticated customer, verdicts…) or fabricate assistant/tool turns.
 */
const TextPart = z.object({ type: z.literal("text"), text: z.string() });
export const UserMessage = z.object({
  role: z.enum(["user", "human"]).optional(),
  type: z.enum(["human"]).optional(),
  content: z.union([z.string().max(Number(process.env.AISLE_MAX_MESSAGE_CHARS ?? 8000)), z.array(TextPart).max(20)]),
  id: z.string().max(100).optional(),
}).refine((m) => m.role !== undefined || m.type !== undefined, { message: "a message needs role 'user'" });
export const UserInput = z.strictObject({ messages: z.array(UserMessage).min(1).max(20) });

export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
