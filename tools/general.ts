import { calculate } from "./calculator.ts";
import { defineTool, type AisleTool } from "./defineTool.ts";
import * as spec from "./tauSchemas.ts";

/** Tools that touch no system: arithmetic, a scratchpad, and the hand-off to a human. */
export function createGeneralTools(): AisleTool[] {
  return [
    defineTool({ ...spec.calculate, run: async ({ expression }) => calculate(expression) }),
    defineTool({ ...spec.think, run: async () => "" }),
    // The graph ends the conversation on this tool; the tool itself only acknowledges.
    defineTool({ ...spec.transferToHumanAgents, run: async () => "Transfer successful" }),
  ];
}
