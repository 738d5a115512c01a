/**
 * Aisle's governance rails — the API the graph's governance node calls. All functions are pure and
 * synchronous (policy packs are loaded once, outside the turn).
 *
 *   runInputRails(text, {role})                  → RailResult   (before routing; use result.text onwards)
 *   sanitizeToolResult(toolName, content)        → {content, verdicts}  (every tool result, before the model)
 *   checkToolCall(call, ToolCallContext, {policies}) → ToolCallResult (every proposed call, before it runs)
 *   checkIdentityLookup / checkOrderResult       → Verdict | null (lookup and order results, before state believes them)
 *   vetDiscount(reply, facts, policies)          → DiscountCheck (a discount the reply grants, before the output rail)
 *   runOutputRails(reply, OutputContext)         → RailResult   (the reply, before it leaves)
 *   redactPII / redactDeep                       → for logs, audit rows, traces, exports
 */
export * from "./types.ts";
export { runInputRails, inputRules, type InputRule, type InputRailOptions } from "./input.ts";
export { sanitizeToolResult, asUntrustedData, REMOVED, type ToolDataResult } from "./toolData.ts";
export { checkToolCall, CONFIRMATION_RULES, registerToolSpec, toolSpec, TOOL_SPECS, type ToolSpec, type ToolCallResult, type ToolCallRailOptions, type PolicyEvaluator, type ActionKind } from "./toolCall.ts";
export { checkIdentityLookup, checkOrderResult, type ToolResultContext } from "./toolResult.ts";
export { vetDiscount, type DiscountCheck } from "./discount.ts";
export { runOutputRails, type OutputRailOptions } from "./output.ts";
export { findPii, redactPII, redactDeep, maskPii, luhnValid, SECRET_KINDS, type PiiKind, type PiiMatch, type RedactOptions } from "./pii.ts";
export { isExplicitConfirmation, mayConfirm } from "./confirmation.ts";
export { normalizeText, type NormalizedText } from "./normalize.ts";
export { GovernanceConfig, loadGovernanceConfig, applyConfiguredAction } from "./config.ts";
