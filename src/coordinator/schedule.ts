// One alarm per Durable Object: a small map of due work (key → time in ms) kept in
// storage, with the alarm always set to the earliest entry. A key appears at most once,
// so a loop can never be scheduled twice.
const KEY = "schedule";

export type Schedule = Record<string, number>;

export async function readSchedule(storage: DurableObjectStorage): Promise<Schedule> {
  return (await storage.get<Schedule>(KEY)) ?? {};
}

/** Sets (or with null removes) the due time of `work`, then re-arms the alarm. */
export async function setDue(storage: DurableObjectStorage, work: string, at: number | null): Promise<void> {
  const s = await readSchedule(storage);
  if (at === null) delete s[work];
  else s[work] = at;
  await storage.put(KEY, s);
  await arm(storage, s);
}

/** Keeps `work` scheduled no later than `at` (earlier entries stay). */
export async function dueBy(storage: DurableObjectStorage, work: string, at: number): Promise<void> {
  const s = await readSchedule(storage);
  if (s[work] !== undefined && s[work] <= at) return;
  await setDue(storage, work, at);
}

export async function arm(storage: DurableObjectStorage, s?: Schedule): Promise<void> {
  const times = Object.values(s ?? (await readSchedule(storage)));
  if (times.length === 0) {
    await storage.deleteAlarm();
    return;
  }
  const earliest = Math.min(...times);
  if ((await storage.getAlarm()) !== earliest) await storage.setAlarm(earliest);
}
