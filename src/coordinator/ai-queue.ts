// The coordinator's AI work queue in storage: per-chat message queues (so one chat has
// one reply in flight, and messages that arrive meanwhile wait and are merged), plus a
// bounded list of seen update ids so a redelivered update is not queued twice.
import type { AiJob } from "../ai/job";

const QUEUE = "aiq";
const SEEN = "aiseen";
const SEEN_MAX = 1000;

type Queues = Record<string, AiJob[]>;

export async function enqueue(storage: DurableObjectStorage, job: AiJob): Promise<boolean> {
  const seen = (await storage.get<number[]>(SEEN)) ?? [];
  if (seen.includes(job.updateId)) return false;
  const q = (await storage.get<Queues>(QUEUE)) ?? {};
  q[job.chatId] = [...(q[job.chatId] ?? []), job];
  await storage.put({ [QUEUE]: q, [SEEN]: [...seen, job.updateId].slice(-SEEN_MAX) });
  return true;
}

export async function chatsWithWork(storage: DurableObjectStorage): Promise<number[]> {
  const q = (await storage.get<Queues>(QUEUE)) ?? {};
  return Object.keys(q)
    .filter((k) => (q[k]?.length ?? 0) > 0)
    .map(Number);
}

/** The next batch for a chat: its oldest message plus the ones right after it from the same user. */
export async function nextBatch(storage: DurableObjectStorage, chatId: number): Promise<AiJob[]> {
  const jobs = (await storage.get<Queues>(QUEUE))?.[chatId] ?? [];
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
  const q = (await storage.get<Queues>(QUEUE)) ?? {};
  const ids = new Set(done.map((j) => j.updateId));
  const rest = (q[chatId] ?? []).filter((j) => !ids.has(j.updateId));
  if (rest.length > 0) q[chatId] = rest;
  else delete q[chatId];
  await storage.put(QUEUE, q);
}
