// Dialog sessions as one batch's handling sees them: read from D1 in the batch's own
// commit, then kept in step by the handlers' own set/clear, so a second message of the
// same user later in the batch sees the dialog the first one opened (or closed).
import type { Db, Env } from "../../env";
import { clearSession, type DialogSession, getSession, type SessionKey, setSession } from "../dialog-sessions";

const keyOf = (k: { chatId: number; userId: number }) => `${k.chatId}:${k.userId}`;

export class SessionCache {
  readonly #known = new Map<string, DialogSession | null>();

  prime(k: { chatId: number; userId: number }, value: DialogSession | null): void {
    this.#known.set(keyOf(k), value);
  }

  primeRaw(k: { chatId: number; userId: number }, data: string): void {
    try {
      this.prime(k, JSON.parse(data) as DialogSession);
    } catch {
      this.prime(k, null);
    }
  }

  /** The session if known to this batch (null: known to be none; undefined: not looked up). */
  known(k: { chatId: number; userId: number }): DialogSession | null | undefined {
    return this.#known.get(keyOf(k));
  }

  /** The handlers' view of one (bot, chat, user) session. */
  handle(env: Pick<Env, "KV">, db: Db, key: SessionKey) {
    return {
      get: async () => {
        const hit = this.known(key);
        if (hit !== undefined) return hit;
        const v = await getSession(env, db, key);
        this.prime(key, v);
        return v;
      },
      set: async (data: DialogSession, ttl?: number) => {
        await setSession(env, db, key, data, ttl);
        this.prime(key, data);
      },
      clear: async () => {
        await clearSession(env, db, key);
        this.prime(key, null);
      },
    };
  }
}
