export { AisleLocalChatModel, toolResultsThisTurn } from "./chatModel.ts";
export { decide, type Decision, type ToolResult } from "./dialogue.ts";
export { ModelContext, renderContextBlock, parseContextBlock, BLOCKED_PREFIX, AWAITING_CONFIRMATION } from "./context.ts";
export { describeAction } from "./replies.ts";
