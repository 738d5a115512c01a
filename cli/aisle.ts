import { Command } from "commander";

type Register = (program: Command) => void;

// Each top-level command → the modules that register it. Only the modules for the command being
// run are imported (a command module pulls in LangGraph, the server or the router, and loading
// all of them made every `aisle` invocation pay seconds of start-up); `aisle --help` loads all.
const COMMANDS: Record<string, Array<() => Promise<Register>>> = {
  serve: [() => import("./commands/serve.ts").then((m) => m.registerServeCommand)],
  keys: [() => import("./commands/keys.ts").then((m) => m.registerKeysCommands)],
  db: [
    () => import("./commands/db.ts").then((m) => m.registerDbCommands),
    () => import("./commands/graphTools.ts").then((m) => m.registerPruneCommand),
  ],
  chat: [() => import("./commands/chat.ts").then((m) => m.registerChatCommand)],
  graph: [() => import("./commands/graphTools.ts").then((m) => m.registerGraphCommand)],
  audit: [() => import("./commands/graphTools.ts").then((m) => m.registerAuditCommands)],
  export: [() => import("./commands/export.ts").then((m) => m.registerExportCommands)],
  traces: [() => import("./commands/export.ts").then((m) => m.registerExportCommands)],
  bundle: [() => import("./commands/bundle.ts").then((m) => m.registerBundleCommands)],
  eval: [
    () => import("./commands/router.ts").then((m) => m.registerRouterCommands),
    () => import("./commands/evalTau.ts").then((m) => m.registerEvalTauCommand),
  ],
  tool: [() => import("./commands/tool.ts").then((m) => m.registerToolCommand)],
  replay: [() => import("./commands/replay.ts").then((m) => m.registerReplayCommand)],
  train: [() => import("./commands/router.ts").then((m) => m.registerRouterCommands)],
  route: [() => import("./commands/router.ts").then((m) => m.registerRouterCommands)],
  model: [() => import("./commands/router.ts").then((m) => m.registerRouterCommands)],
  govern: [() => import("./commands/governance.ts").then((m) => m.registerGovernanceCommands)],
  policy: [() => import("./commands/governance.ts").then((m) => m.registerGovernanceCommands)],
};

const program = new Command();
program
  .name("aisle")
  .description("Aisle: an open, self-hostable retail AI orchestration runtime")
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true });

const requested = process.argv[2];
const loaders = requested && COMMANDS[requested] ? COMMANDS[requested] : Object.values(COMMANDS).flat();
const registered = new Set<Register>();
for (const register of await Promise.all(loaders.map((load) => load()))) {
  // A module that registers several commands (e.g. the router's train/eval/route/model) runs once.
  if (registered.has(register)) continue;
  registered.add(register);
  register(program);
}

await program.parseAsync(process.argv);
