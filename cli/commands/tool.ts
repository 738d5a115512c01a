import type { Command } from "commander";
import type { Db } from "../../db/executor.ts";
import { poolDb } from "../../db/executor.ts";
import { createRetailTools, runTool } from "../../tools/index.ts";
import { UsageError, action, withDatabase } from "../runtime.ts";

/** Tools are built per database handle; listing them needs no connection. */
const unconnected: Db = {
  query: () => Promise.reject(new Error("not connected")),
  transaction: () => Promise.reject(new Error("not connected")),
};

function toolList(): string {
  const tools = Object.values(createRetailTools(unconnected)).sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(...tools.map((t) => t.name.length));
  const firstSentence = (s: string) => (s.match(/^.*?\.(\s|$)/)?.[0] ?? s).trim();
  return tools.map((t) => `  ${t.name.padEnd(width)}  ${firstSentence(t.description)}`).join("\n");
}

export function registerToolCommand(program: Command): void {
  program
    .command("tool")
    .description("Invoke one tool against Aisle's database and print its output")
    .argument("<name>", "tool name (see the list below)")
    .argument("[args]", "the tool's arguments as a JSON object", "{}")
    .addHelpText(
      "after",
      () =>
        `\nTools:\n${toolList()}\n\nExample:\n  aisle tool get_order_details '{"order_id": "#W2611340"}'\n\n` +
        `The output is printed on stdout exactly as the agent sees it. Exit code 1 when the tool answers\n` +
        `with an "Error: …" string; 2 for an unknown tool or arguments that are not a JSON object.`,
    )
    .action(
      action(async (name: string, rawArgs: string) => {
        const tools = createRetailTools(unconnected);
        if (!tools[name]) throw new UsageError(`unknown tool "${name}"; run "aisle tool --help" for the list`);
        let args: unknown;
        try {
          args = JSON.parse(rawArgs);
        } catch (err) {
          throw new UsageError(`arguments for ${name} are not valid JSON (${(err as Error).message}): ${rawArgs}`);
        }
        if (typeof args !== "object" || args === null || Array.isArray(args)) {
          throw new UsageError(`arguments for ${name} must be a JSON object such as '{"order_id": "#W0000000"}'`);
        }
        const output = await withDatabase(({ pool }) => runTool(poolDb(pool), name, args));
        process.stdout.write(`${output}\n`);
        return output.startsWith("Error:") ? 1 : 0;
      }),
    );
}
