/**
 * A structural diff of two JSON values, used to show what one graph step changed in the thread
 * state. Arrays compare by index: graph state arrays (messages, verdicts, timings) grow by
 * appending, so an index diff reads as "added at the end" — what actually happened.
 */
export type Change =
  | { kind: "added"; path: string; after: unknown }
  | { kind: "removed"; path: string; before: unknown }
  | { kind: "changed"; path: string; before: unknown; after: unknown };

export function diffJson(before: unknown, after: unknown, path = ""): Change[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: Change[] = [];
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= before.length) changes.push({ kind: "added", path: p, after: after[i] });
      else if (i >= after.length) changes.push({ kind: "removed", path: p, before: before[i] });
      else changes.push(...diffJson(before[i], after[i], p));
    }
    return changes;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const changes: Change[] = [];
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      const p = path ? `${path}.${key}` : key;
      if (!(key in before) || before[key] === undefined) {
        if (after[key] !== undefined) changes.push({ kind: "added", path: p, after: after[key] });
      } else if (!(key in after) || after[key] === undefined) {
        changes.push({ kind: "removed", path: p, before: before[key] });
      } else changes.push(...diffJson(before[key], after[key], p));
    }
    return changes;
  }
  if (before === undefined) return [{ kind: "added", path, after }];
  if (after === undefined) return [{ kind: "removed", path, before }];
  return [{ kind: "changed", path, before, after }];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The top-level keys whose values differ: what a fork must send (only edited channels). */
export function changedTopLevelKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}
