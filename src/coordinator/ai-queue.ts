// The coordinator's AI work queue: per-chat message queues (so one chat has one reply in
// flight, and messages that arrive meanwhile wait and are merged), plus a bounded list of
// seen update ids so a redelivered update is not queued twice.
//
// It lives in the object's SQLite (one row per queued message), not in one storage value:
// a value is limited to 128 KiB, and a single map of every chat's queue grew with traffic.
// Each chat holds at most MAX_PENDING_PER_CHAT messages; beyond that the newest is dropped
// (logged and counted), so one person flooding a chat cannot grow the queue without bound.
import { type AiJob, MAX_JOB_TEXT } from "../ai/job";
import { createLogger } from "../lib/log";

/** The most messages waiting per chat; more are dropped (the newest), with a log line and a counter. */
export const MAX_PENDING_PER_CHAT = 20;
const SEEN_MAX = 1000;
// The storage values of the first version (one map of every queue, one array of ids).
const LEGACY_QUEUE = "aiq";
const LEGACY_SEEN = "aiseen";

const log = createLogger({ component: "ai-queue" });
const ready = new WeakSet<DurableObjectStorage>();

async function db(storage: DurableObjectStorage): Promise<SqlStorage> {
  const sql = storage.sql;
  if (ready.has(storage)) return sql;
  sql.exec(`CREATE TABLE IF NOT EXISTS ai_queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      chat_id INTEGER NOT NULL,
      update_id INTEGER NOT NULL,
      job TEXT NOT NULL)`);
  sql.exec("CREATE INDEX IF NOT EXISTS ai_queue_chat ON ai_queue (chat_id, seq)");
  sql.exec("CREATE TABLE IF NOT EXISTS ai_seen (update_id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  sql.exec("CREATE TABLE IF NOT EXISTS ai_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  ready.add(storage);
  await migrateLegacy(storage, sql);
  return sql;
}

/** Moves a queue stored by the first version (one storage value) into the table, once. */
async function migrateLegacy(storage: DurableObjectStorage, sql: SqlStorage): Promise<void> {
  const old = await storage.get<Record<string, AiJob[]>>(LEGACY_QUEUE);
  const seen = await storage.get<number[]>(LEGACY_SEEN);
  if (!old && !seen) return;
  for (const id of seen ?? []) markSeen(sql, id);
  for (const jobs of Object.values(old ?? {})) for (const j of jobs) insertJob(sql, j);
  await storage.delete([LEGACY_QUEUE, LEGACY_SEEN]);
}

function markSeen(sql: SqlStorage, updateId: number): void {
  sql.exec("INSERT OR IGNORE INTO ai_seen (update_id, n) VALUES (?, (SELECT coalesce(max(n), 0) + 1 FROM ai_seen))", updateId);
  sql.exec("DELETE FROM ai_seen WHERE n <= (SELECT max(n) FROM ai_seen) - ?", SEEN_MAX);
}

function insertJob(sql: SqlStorage, job: AiJob): void {
  const stored = { ...job, text: job.text.slice(0, MAX_JOB_TEXT) };
  sql.exec("INSERT INTO ai_queue (chat_id, update_id, job) VALUES (?, ?, ?)", job.chatId, job.updateId, JSON.stringify(stored));
}

function bump(sql: SqlStorage, name: string): void {
  sql.exec("INSERT INTO ai_counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1", name);
}

/** Queues a job; false when its update was seen before, or when its chat's queue is full (dropped). */
export async function enqueue(storage: DurableObjectStorage, job: AiJob): Promise<boolean> {
  const sql = await db(storage);
  if (sql.exec("SELECT 1 FROM ai_seen WHERE update_id = ?", job.updateId).toArray().length > 0) return false;
  markSeen(sql, job.updateId);
  const waiting = Number(sql.exec("SELECT count(*) AS n FROM ai_queue WHERE chat_id = ?", job.chatId).one().n);
  if (waiting >= MAX_PENDING_PER_CHAT) {
    bump(sql, "dropped");
    log.warn("AI queue full for the chat; newest message dropped", {
      bot_id: job.botId,
      chat_id: job.chatId,
      user_id: job.userId,
      update_id: job.updateId,
      waiting,
    });
    return false;
  }
  insertJob(sql, job);
  return true;
}

export async function chatsWithWork(storage: DurableObjectStorage): Promise<number[]> {
  const sql = await db(storage);
  return sql
    .exec("SELECT DISTINCT chat_id FROM ai_queue ORDER BY chat_id")
    .toArray()
    .map((r) => Number(r.chat_id));
}

/** The next batch for a chat: its oldest message plus the ones right after it from the same user. */
export async function nextBatch(storage: DurableObjectStorage, chatId: number): Promise<AiJob[]> {
  const sql = await db(storage);
  const jobs = sql
    .exec("SELECT job FROM ai_queue WHERE chat_id = ? ORDER BY seq", chatId)
    .toArray()
    .map((r) => JSON.parse(String(r.job)) as AiJob);
  const first = jobs[0];
  if (!first) return [];
  const batch: AiJob[] = [];
  for (const j of jobs) {
    if (j.userId !== first.userId) break;
    batch.push(j);
  }
  return batch;
}

export async function removeJobs(storage: DurableObjectStorage, chatId: number, done: AiJob[]): Promise<void> {
  const sql = await db(storage);
  for (const j of done) sql.exec("DELETE FROM ai_queue WHERE chat_id = ? AND update_id = ?", chatId, j.updateId);
}

/** What the queue holds and has dropped (for tests and the status endpoint). */
export async function queueStats(storage: DurableObjectStorage): Promise<{ waiting: number; chats: number; dropped: number }> {
  const sql = await db(storage);
  const q = sql.exec("SELECT count(*) AS n, count(DISTINCT chat_id) AS c FROM ai_queue").one();
  const dropped = sql.exec("SELECT value FROM ai_counters WHERE name = 'dropped'").toArray()[0]?.value;
  return { waiting: Number(q.n), chats: Number(q.c), dropped: Number(dropped ?? 0) };
}
