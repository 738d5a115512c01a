import pg from "pg";
import { Annotation, END, MessagesAnnotation, START, StateGraph, interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";

/**
 * A small stand-in for Aisle's turn graph with the same runtime shape (`{ graph, checkpointer,
 * close }`): a token-streaming chat model node, an approval step that `interrupt()`s on refund
 * requests (resumed with `Command({ resume })`), a custom stream write and a slow mode for cancel
 * tests. It lets the server tests exercise every transport path independently of the real graph.
 */
const State = Annotation.Root({
  ...MessagesAnnotation.spec,
  approved: Annotation<boolean | null>({ reducer: (_a, b) => b, default: () => null }),
  caller_role: Annotation<string | null>({ reducer: (_a, b) => b, default: () => null }),
});

function lastText(messages: BaseMessage[]): string {
  const last = messages.at(-1);
  return typeof last?.content === "string" ? last.content : "";
}

export async function createTestRuntime(opts: { pool: pg.Pool; tokenDelayMs?: number }) {
  const checkpointer = new PostgresSaver(opts.pool);
  await checkpointer.setup();
  const graph = new StateGraph(State)
    .addNode("approve", async (state: typeof State.State, config: LangGraphRunnableConfig) => {
      const caller = (config.configurable?.caller ?? {}) as { role?: string };
      if (!/refund/i.test(lastText(state.messages))) return { caller_role: caller.role ?? null };
      const decision = interrupt({ kind: "escalation", reason: "refund needs a manager", required_role: "manager" });
      return { approved: Boolean((decision as { approved?: boolean })?.approved), caller_role: caller.role ?? null };
    })
    .addNode("respond", async (state: typeof State.State, config: LangGraphRunnableConfig) => {
      const text = lastText(state.messages);
      config.writer?.({ progress: "responding" });
      if (/slow/i.test(text)) {
        for (let i = 0; i < 60; i++) {
          if (config.signal?.aborted) throw new Error("aborted");
          await new Promise((r) => setTimeout(r, 25));
        }
      }
      const reply =
        state.approved === true ? "Refund approved" : state.approved === false ? "Refund declined" : `You said ${text}`;
      const model = new FakeListChatModel({ responses: [reply], sleep: opts.tokenDelayMs ?? 0 });
      const message = await model.invoke(state.messages, config);
      return { messages: [new AIMessage({ content: message.content, id: message.id })] };
    })
    .addEdge(START, "approve")
    .addEdge("approve", "respond")
    .addEdge("respond", END)
    .compile({ checkpointer });
  return { graph, checkpointer, close: async () => {} };
}
