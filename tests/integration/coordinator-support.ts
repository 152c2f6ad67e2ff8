// Shared by the coordinator, tasks, AI and broadcast tests: a fake clock installed in a
// bot's coordinator, and driving its alarm the way the runtime would.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { BotCoordinator } from "../../src/coordinator/bot-coordinator";
import { coordinatorFor } from "../../src/coordinator/stub";
import { FakeClock } from "../../src/tasks/clock";

export type Stub = ReturnType<typeof coordinatorFor>;

/** The bot's coordinator stub. */
export const stubFor = (botId: number): Stub => coordinatorFor(env, botId);

/**
 * Installs a fake clock a day ahead of real time: the alarms it sets never fire by
 * themselves during a test, so only runAlarm/drain runs them.
 */
export async function useFakeClock(stub: Stub): Promise<FakeClock> {
  const clock = new FakeClock(Date.now() + 86_400_000);
  await runInDurableObject(stub, (inst: BotCoordinator) => {
    inst.clock = clock;
  });
  return clock;
}

export async function withInstance<T>(stub: Stub, fn: (inst: BotCoordinator, state: DurableObjectState) => T | Promise<T>): Promise<T> {
  return runInDurableObject(stub, fn);
}

export async function alarmAt(stub: Stub): Promise<number | null> {
  return runInDurableObject(stub, (_i: BotCoordinator, state) => state.storage.getAlarm());
}

export async function scheduleOf(stub: Stub): Promise<Record<string, number>> {
  return runInDurableObject(stub, async (_i: BotCoordinator, state) => (await state.storage.get<Record<string, number>>("schedule")) ?? {});
}

/** Moves the fake clock to the alarm's time and runs the alarm; false when none was set. */
export async function runAlarm(stub: Stub, clock: FakeClock): Promise<boolean> {
  const at = await alarmAt(stub);
  if (at === null) return false;
  clock.t = Math.max(clock.t, at);
  return runDurableObjectAlarm(stub);
}

/** Runs alarms until none is left (or `max` runs); answers how many ran. */
export async function drain(stub: Stub, clock: FakeClock, max = 200): Promise<number> {
  let n = 0;
  while (n < max && (await runAlarm(stub, clock))) n++;
  return n;
}
