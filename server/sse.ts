import type { Response } from "express";

/** Server-sent events in the Agent Server framing: `event: <mode>\ndata: <json>\nid: <n>\n\n`. */
export class SseWriter {
  private heartbeat: NodeJS.Timeout;
  closed = false;

  constructor(private res: Response, headers: Record<string, string> = {}) {
    res.status(200);
    res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache, no-transform");
    res.setHeader("Connection", "keep-alive");
    res.setHeader("X-Accel-Buffering", "no");
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.flushHeaders();
    // Comment lines keep idle proxies from closing a long turn and let the SDK detect dead sockets.
    this.heartbeat = setInterval(() => this.comment("heartbeat"), 15_000);
    this.heartbeat.unref();
    res.on("close", () => this.stop());
  }

  send(event: string, data: string, id?: number | string) {
    if (this.closed) return;
    this.res.write(`event: ${event}\ndata: ${data}\n${id !== undefined ? `id: ${id}\n` : ""}\n`);
  }

  comment(text: string) {
    if (!this.closed) this.res.write(`: ${text}\n\n`);
  }

  end() {
    this.stop();
    this.res.end();
  }

  private stop() {
    this.closed = true;
    clearInterval(this.heartbeat);
  }
}
