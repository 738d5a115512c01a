/** Which of Aisle's seven layers (or an agent) a graph node belongs to, for colour and grouping. */
export const LAYERS = ["routing", "governance", "context", "monitoring", "policy", "data-prep", "audit"] as const;
export type Layer = (typeof LAYERS)[number] | "agent" | "terminal";

export const LAYER_LABELS: Record<Layer, string> = {
  routing: "Routing",
  governance: "Governance",
  context: "Context-stitching",
  monitoring: "Monitoring",
  policy: "Policy",
  "data-prep": "Data-prep",
  audit: "Audit",
  agent: "Agents & tools",
  terminal: "Start / end",
};

/** Prefer what the graph says (node metadata `layer`), else infer from the node's name. */
export function layerOf(id: string, metadata?: unknown): Layer {
  const declared = (metadata as { layer?: unknown } | null | undefined)?.layer;
  if (typeof declared === "string") {
    const norm = declared.toLowerCase().replace(/[\s_]+/g, "-").replace("context-stitching", "context").replace("dataprep", "data-prep");
    if ((LAYERS as readonly string[]).includes(norm) || norm === "agent") return norm as Layer;
  }
  const n = id.toLowerCase();
  if (n === "__start__" || n === "__end__") return "terminal";
  if (n.includes("dataprep") || n.includes("data_prep") || n.includes("normal")) return "data-prep";
  if (n.includes("rout")) return "routing";
  if (n.includes("context") || n.includes("stitch")) return "context";
  if (n.includes("polic")) return "policy";
  if (n.includes("govern") || n.includes("rail") || n.includes("guard") || n.includes("escalat")) return "governance";
  if (n.includes("audit")) return "audit";
  if (n.includes("monitor")) return "monitoring";
  return "agent";
}
