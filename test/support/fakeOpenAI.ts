import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenAI-compatible chat-completions server for tests: it answers each
 * POST /v1/chat/completions with the next scripted turn (a reply or tool calls), in the real wire
 * format (JSON, or SSE when `stream: true`), and records every request — so tests run the real
 * `@langchain/openai` client against it. Usage is reported so cost accounting can be checked.
 */
export type ScriptedTurn =
  | { content: string }
  | { tool_calls: { name: string; args: Record<string, unknown> }[] }
  | ((request: ChatRequest) => { content: string } | { tool_calls: { name: string; args: Record<string, unknown> }[] });

export interface ChatRequest {
  model: string;
  messages: { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
  stream?: boolean;
}

export interface FakeOpenAI {
  baseURL: string;
  requests: ChatRequest[];
  /** Adds turns to the script (consumed in order). */
  push(...turns: ScriptedTurn[]): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let s = "";
    req.on("data", (c) => (s += c));
    req.on("end", () => resolve(s));
    req.on("error", reject);
  });

export async function startFakeOpenAI(opts: { usage?: { prompt_tokens: number; completion_tokens: number } } = {}): Promise<FakeOpenAI> {
  const script: ScriptedTurn[] = [];
  const requests: ChatRequest[] = [];
  const usage = opts.usage ?? { prompt_tokens: 120, completion_tokens: 30 };
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const body = JSON.parse(await readBody(req)) as ChatRequest;
    requests.push(body);
    const next = script.shift();
    if (!next) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "fake OpenAI: script exhausted" } }));
      return;
    }
    const turn = typeof next === "function" ? next(body) : next;
    const id = `chatcmpl-${++n}`;
    const toolCalls = "tool_calls" in turn ? turn.tool_calls.map((c, i) => ({ id: `call_${n}_${i}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } })) : undefined;
    const message = { role: "assistant", content: "content" in turn ? turn.content : null, ...(toolCalls ? { tool_calls: toolCalls } : {}) };
    const finish = toolCalls ? "tool_calls" : "stop";
    const usageBlock = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    if (body.stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const send = (delta: unknown, finish_reason: string | null, extra: Record<string, unknown> = {}) =>
        res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason }], ...extra })}\n\n`);
      if (toolCalls) send({ role: "assistant", tool_calls: toolCalls.map((t, index) => ({ index, ...t })) }, null);
      else for (const word of (message.content ?? "").split(/(?<=\s)/)) send({ role: "assistant", content: word }, null);
      send({}, finish);
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model: body.model, choices: [], usage: usageBlock })}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ id, object: "chat.completion", created: 0, model: body.model, choices: [{ index: 0, message, finish_reason: finish }], usage: usageBlock }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...turns) => script.push(...turns),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
