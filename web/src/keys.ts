/**
 * API keys the studio knows, kept in this browser's localStorage (never sent anywhere but Aisle's
 * own API). Several can be saved — e.g. a customer's and a manager's — to act as different callers.
 */
export interface SavedKey {
  key: string;
  label: string;
  role?: string;
  customer_id?: string | null;
  store_id?: string | null;
}

const STORE = "aisle.studio.keys";
const ACTIVE = "aisle.studio.activeKey";

export class KeyRing {
  private listeners = new Set<() => void>();

  list(): SavedKey[] {
    try {
      const parsed = JSON.parse(localStorage.getItem(STORE) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter((k) => typeof k?.key === "string") : [];
    } catch {
      return [];
    }
  }

  active(): SavedKey | null {
    const all = this.list();
    const want = localStorage.getItem(ACTIVE);
    return all.find((k) => k.key === want) ?? all[0] ?? null;
  }

  activeKey(): string | null {
    return this.active()?.key ?? null;
  }

  add(entry: SavedKey): void {
    const all = this.list().filter((k) => k.key !== entry.key);
    all.push(entry);
    localStorage.setItem(STORE, JSON.stringify(all));
    localStorage.setItem(ACTIVE, entry.key);
    this.emit();
  }

  remove(key: string): void {
    localStorage.setItem(STORE, JSON.stringify(this.list().filter((k) => k.key !== key)));
    if (localStorage.getItem(ACTIVE) === key) localStorage.removeItem(ACTIVE);
    this.emit();
  }

  use(key: string): void {
    localStorage.setItem(ACTIVE, key);
    this.emit();
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit() {
    for (const fn of this.listeners) fn();
  }
}

export function describeKey(k: SavedKey): string {
  const who = k.customer_id ? ` · ${k.customer_id}` : k.store_id ? ` · store ${k.store_id}` : "";
  return `${k.label}${k.role && !k.label.startsWith(k.role) ? ` (${k.role}${who})` : who ? ` (${who.slice(3)})` : ""}`;
}
