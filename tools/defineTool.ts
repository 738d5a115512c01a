import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { ToolMessage } from "@langchain/core/messages";
import { z } from "zod";

/** Every Aisle tool: a LangChain structured tool whose output is a string. */
export type AisleTool = StructuredToolInterface;

export interface ToolSpec<S extends z.ZodObject> {
  name: string;
  description: string;
  /** Parameters exactly as published (names, types, enums, descriptions): the JSON schema models see. */
  schema: S;
  /**
   * Optional looser schema for values the published one rejects but the tool itself answers with
   * its own error (τ-bench's `cancel_pending_order` says "Error: invalid reason" for a reason
   * outside the enum rather than failing validation).
   */
  lenient?: z.ZodType<z.infer<S>>;
  run: (args: z.infer<S>) => Promise<string>;
}

/** The JSON schema of a tool's parameters, in the OpenAI function-calling shape τ-bench publishes. */
export function parametersJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  if (rest.type === "object" && !("required" in rest)) rest.required = [];
  return rest;
}

/** A clear, τ-bench style error naming the bad arguments; never an exception. */
export function argumentError(name: string, error: z.ZodError, input?: unknown): string {
  const given = (key: PropertyKey) => typeof input === "object" && input !== null && Object.hasOwn(input, key);
  const problems = error.issues.map((i) => {
    if (i.path.length === 1 && !given(i.path[0])) return `missing required argument ${String(i.path[0])}`;
    return `${i.path.length ? i.path.join(".") : "arguments"}: ${i.message}`;
  });
  return `Error: invalid arguments for ${name}: ${problems.join("; ")}`;
}

type ToolCallLike = { type?: string; id?: string; name?: string; args: unknown };
const isToolCall = (x: unknown): x is ToolCallLike =>
  typeof x === "object" && x !== null && "args" in x && (x as ToolCallLike).type === "tool_call";

/**
 * Wraps LangChain's `tool()` so that missing or wrong-typed arguments come back as an `Error: …`
 * string (a ToolMessage when invoked with a tool call) instead of LangChain's
 * ToolInputParsingException: agents read the error and retry, and nothing is changed.
 */
export function defineTool<S extends z.ZodObject>(spec: ToolSpec<S>): AisleTool {
  const t = tool(async (args: z.infer<S>) => spec.run(args), {
    name: spec.name,
    description: spec.description,
    schema: spec.schema,
  }) as unknown as AisleTool;
  const call = t.call.bind(t) as (arg: unknown, config?: unknown, tags?: string[]) => Promise<unknown>;
  // `invoke(toolCall)` unwraps the call into `config.toolCall`; `call(toolCall)` passes it as is.
  const answer = (arg: unknown, config: unknown, content: string) => {
    const id = isToolCall(arg) ? arg.id : (config as { toolCall?: { id?: string } } | undefined)?.toolCall?.id;
    const status = content.startsWith("Error") ? "error" : "success";
    return id ? new ToolMessage({ content, tool_call_id: id, name: spec.name, status }) : content;
  };
  Object.assign(t, {
    async call(arg: unknown, config?: unknown, tags?: string[]) {
      const input = isToolCall(arg) ? arg.args : arg;
      const strict = spec.schema.safeParse(input);
      if (strict.success) return call(arg, config, tags);
      const loose = spec.lenient?.safeParse(input);
      if (loose?.success) return answer(arg, config, await spec.run(loose.data));
      return answer(arg, config, argumentError(spec.name, strict.error, input));
    },
  });
  return t;
}
