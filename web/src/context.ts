/** What every view gets: the API client, the key ring, the chosen assistant and its graph. */
import { Api } from "./api.ts";
import type { GraphJson } from "./graphLayout.ts";
import { KeyRing } from "./keys.ts";

export interface StudioMeta {
  intents: string[];
  roles: string[];
  reference_layers: Record<string, number>;
}

export class Ctx {
  readonly keys = new KeyRing();
  readonly api = new Api(() => this.keys.activeKey());
  assistantId = localStorage.getItem("aisle.studio.assistant") ?? "aisle";
  private graphCache = new Map<string, Promise<GraphJson>>();
  private metaCache: Promise<StudioMeta> | null = null;
  private cleanups: Array<() => void> = [];

  setAssistant(id: string): void {
    this.assistantId = id;
    localStorage.setItem("aisle.studio.assistant", id);
  }

  graph(): Promise<GraphJson> {
    const id = this.assistantId;
    let p = this.graphCache.get(id);
    if (!p) {
      p = this.api.graph(id);
      p.catch(() => this.graphCache.delete(id));
      this.graphCache.set(id, p);
    }
    return p;
  }

  meta(): Promise<StudioMeta> {
    if (!this.metaCache) {
      this.metaCache = this.api.request<StudioMeta>("GET", "/studio/api/meta");
      this.metaCache.catch(() => (this.metaCache = null));
    }
    return this.metaCache;
  }

  navigate(hash: string): void {
    if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = hash;
  }

  /** Registers work to stop when the user leaves the current view (timers, open streams). */
  onLeave(fn: () => void): void {
    this.cleanups.push(fn);
  }

  leave(): void {
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch {
        /* a failing cleanup must not block navigation */
      }
    }
  }
}
