/**
 * The floor for one HTTP turn: a bare Express JSON handler doing one PostgreSQL commit per request
 * (INSERT of the message in a transaction) and answering JSON. Started by bench/load.ts:
 *   DATABASE_URL=… node --import tsx bench/floorServer.ts <port>
 */
import express from "express";
import pg from "pg";
import { helpFromDocComment } from "./support.ts";
helpFromDocComment(import.meta.url);

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
await pool.query("CREATE TABLE IF NOT EXISTS bench_floor_turns (id bigserial PRIMARY KEY, thread_id text NOT NULL, message text NOT NULL, at timestamptz NOT NULL DEFAULT now())");

const app = express();
app.use(express.json({ limit: "256kb" }));
app.get("/ok", (_req, res) => void res.json({ ok: true }));
app.post("/turn", async (req, res) => {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query("INSERT INTO bench_floor_turns (thread_id, message) VALUES ($1, $2) RETURNING id", [String(req.body?.thread_id ?? ""), String(req.body?.message ?? "")]);
    await client.query("COMMIT");
    res.json({ id: rows[0].id, reply: "ok" });
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    res.status(500).json({ error: String(err) });
  } finally {
    client.release();
  }
});
const server = app.listen(Number(process.argv[2] ?? 0), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
