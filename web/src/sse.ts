/**
 * Server-sent events over `fetch` (EventSource cannot POST or send `x-api-key`). The parser is
 * pure and incremental, so a chunk boundary can fall anywhere — mid-line or mid-UTF-8 sequence.
 */
export interface SseEvent {
  event: string;
  data: unknown;
  id?: string;
}

/** Feeds decoded text in, returns every complete event it closes. */
export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      // A lone "\r" at the end may be the first half of "\r\n": wait for more input.
      if (width === 1 && this.buffer[newline] === "\r" && newline + 1 === this.buffer.length) break;
      this.buffer = this.buffer.slice(newline + width);
      const done = this.line(line);
      if (done) out.push(done);
    }
    return out;
  }

  /** Flushes a final event the stream ended without a blank line after. */
  end(): SseEvent[] {
    const rest = this.buffer;
    this.buffer = "";
    const out: SseEvent[] = [];
    if (rest) {
      const done = this.line(rest);
      if (done) out.push(done);
    }
    const done = this.line("");
    if (done) out.push(done);
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      if (this.data.length === 0 && !this.event) return null;
      const raw = this.data.join("\n");
      const event: SseEvent = { event: this.event || "message", data: parseData(raw) };
      if (this.id !== undefined) event.id = this.id;
      this.event = "";
      this.data = [];
      return event;
    }
    if (line.startsWith(":")) return null; // comment / heartbeat
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
    return null;
  }
}

function parseData(raw: string): unknown {
  if (raw === "") return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Reads an SSE response body to the end, yielding events as they complete. */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.end();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}
