// A bot's command menus at Telegram (setMyCommands per scope and language; the lists are
// made in telegram/commands/menus.ts). Synced when the bot is registered, when its token or
// webhook is set, when a custom command changes, and on demand. A menu whose list has not
// changed since Telegram last accepted it is skipped (its hash is in bot_command_menus), so
// an unchanged bot costs no call; a failure is recorded per menu and retried by the next
// sync, and never fails what asked for the sync: the menu is a convenience.
import { eq, sql } from "drizzle-orm";
import type { BotRow } from "../db/bots";
import { nowSeconds } from "../db/client";
import { listActiveCustomCommands } from "../db/custom-commands";
import { botCommandMenus } from "../db/schema";
import type { Db } from "../env";
import { sha256Hex } from "../lib/crypto";
import { telegramFor } from "../telegram/bot-client";
import type { TelegramClient } from "../telegram/client";
import { buildMenus, builtinSources, DEFAULT_AUDIENCES, type Menu } from "../telegram/commands/menus";
import { builtinCommands } from "../telegram/commands/registry";
import type { ServiceCtx } from "./context";

export interface MenuSyncResult {
  ok: boolean;
  /** Menus sent to Telegram in this sync (their list changed, or `force`). */
  calls: number;
  /** Menus left alone: Telegram already has their list. */
  skipped: number;
  errors: { scope: string; lang: string; error: string }[];
  /** The first error, for a one-line report. */
  error?: string;
}

/** Menus at Telegram in parallel, a few at a time (well under the 6 connections a Worker may open). */
const PARALLEL = 4;

/** The bot's menus as they should be now. */
export async function currentMenus(db: Db, bot: Pick<BotRow, "id" | "aiEnabled">): Promise<Menu[]> {
  const custom = await listActiveCustomCommands(db, bot.id);
  return buildMenus(
    builtinSources(builtinCommands(), bot),
    custom.map((c) => ({
      name: c.command,
      description: { en: c.description, ru: c.description_ru },
      audiences: c.audiences.length ? c.audiences : DEFAULT_AUDIENCES,
    })),
  );
}

/** Changes with the list and with the Telegram bot behind the token (a new token is a new menu). */
async function menuHash(bot: BotRow, m: Menu): Promise<string> {
  return sha256Hex(JSON.stringify([bot.tgId, m.scope, m.lang, m.commands]));
}

async function send(tg: TelegramClient, m: Menu): Promise<void> {
  const target = { scope: { type: m.scope }, ...(m.lang && { language_code: m.lang }) };
  // An empty list is removed rather than set empty, so Telegram falls back to the wider scope.
  if (m.commands.length === 0) await tg.call("deleteMyCommands", target);
  else await tg.call("setMyCommands", { commands: m.commands, ...target });
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

export async function syncCommandMenus({ env, db, log }: ServiceCtx, bot: BotRow, opts: { force?: boolean } = {}): Promise<MenuSyncResult> {
  const menus = await currentMenus(db, bot);
  const stored = new Map(
    (await db.select().from(botCommandMenus).where(eq(botCommandMenus.botId, bot.id)).all()).map((r) => [`${r.scope}|${r.lang}`, r]),
  );
  const due: { menu: Menu; hash: string }[] = [];
  for (const menu of menus) {
    const hash = await menuHash(bot, menu);
    if (opts.force || stored.get(`${menu.scope}|${menu.lang}`)?.hash !== hash) due.push({ menu, hash });
  }
  const result: MenuSyncResult = { ok: true, calls: due.length, skipped: menus.length - due.length, errors: [] };
  if (due.length === 0) return result;

  const outcomes: (string | null)[] = [];
  try {
    const tg = await telegramFor(env, bot, { log, maxRetries: 1 });
    for (let i = 0; i < due.length; i += PARALLEL) {
      const slice = due.slice(i, i + PARALLEL);
      const settled = await Promise.allSettled(slice.map(({ menu }) => send(tg, menu)));
      for (const s of settled) outcomes.push(s.status === "fulfilled" ? null : message(s.reason));
    }
  } catch (err) {
    // The client itself could not be made (the token cannot be decrypted): every menu failed.
    while (outcomes.length < due.length) outcomes.push(message(err));
  }

  const at = nowSeconds();
  const rows = due.map(({ menu, hash }, i) => {
    const error = outcomes[i] ?? null;
    if (error) result.errors.push({ scope: menu.scope, lang: menu.lang, error });
    return {
      botId: bot.id,
      scope: menu.scope,
      lang: menu.lang,
      // A failed menu forgets its hash, so the next sync sends it whatever changed.
      hash: error ? null : hash,
      commandCount: menu.commands.length,
      syncedAt: error ? (stored.get(`${menu.scope}|${menu.lang}`)?.syncedAt ?? null) : at,
      attemptedAt: at,
      lastError: error,
    };
  });
  await db
    .insert(botCommandMenus)
    .values(rows)
    .onConflictDoUpdate({
      target: [botCommandMenus.botId, botCommandMenus.scope, botCommandMenus.lang],
      set: {
        hash: sql`excluded.hash`,
        commandCount: sql`excluded.command_count`,
        syncedAt: sql`excluded.synced_at`,
        attemptedAt: sql`excluded.attempted_at`,
        lastError: sql`excluded.last_error`,
      },
    });
  if (result.errors.length > 0) {
    result.ok = false;
    result.error = `${result.errors[0]?.error}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more menus)` : ""}`;
    log.warn("setMyCommands failed", { bot_id: bot.id, failed: result.errors.length, error: result.error });
  }
  return result;
}

/** Never throws: for callers whose own work must stand whatever happens to the menus. */
export async function syncCommandMenusSafely(ctx: ServiceCtx, bot: BotRow, opts: { force?: boolean } = {}): Promise<MenuSyncResult> {
  try {
    return await syncCommandMenus(ctx, bot, opts);
  } catch (err) {
    ctx.log.warn("command menu sync failed", { bot_id: bot.id, error: message(err) });
    return { ok: false, calls: 0, skipped: 0, errors: [], error: message(err) };
  }
}

export interface MenuStatus {
  /** When every menu was last in step with Telegram; null while any is not (or none was ever synced). */
  synced_at: number | null;
  last_attempt_at: number | null;
  menus_synced: number;
  menus_failed: number;
  last_error: string | null;
}

/** How the bot's menus stand, for its API answer. */
export async function menuStatus(db: Db, botId: number): Promise<MenuStatus> {
  const rows = await db.select().from(botCommandMenus).where(eq(botCommandMenus.botId, botId)).all();
  const failed = rows.filter((r) => r.lastError);
  const synced = rows.filter((r) => !r.lastError && r.syncedAt !== null);
  return {
    synced_at: rows.length > 0 && failed.length === 0 ? Math.max(...synced.map((r) => r.syncedAt ?? 0)) : null,
    last_attempt_at: rows.length > 0 ? Math.max(...rows.map((r) => r.attemptedAt)) : null,
    menus_synced: synced.length,
    menus_failed: failed.length,
    last_error: failed.sort((a, b) => b.attemptedAt - a.attemptedAt)[0]?.lastError ?? null,
  };
}

/** Each menu as it should be, next to what Telegram last accepted. */
export async function menusWithState(db: Db, bot: BotRow) {
  const menus = await currentMenus(db, bot);
  const stored = new Map(
    (await db.select().from(botCommandMenus).where(eq(botCommandMenus.botId, bot.id)).all()).map((r) => [`${r.scope}|${r.lang}`, r]),
  );
  return Promise.all(
    menus.map(async (m) => {
      const s = stored.get(`${m.scope}|${m.lang}`);
      return {
        scope: m.scope,
        language_code: m.lang || null,
        commands: m.commands,
        in_sync: s?.hash === (await menuHash(bot, m)),
        synced_at: s?.syncedAt ?? null,
        last_error: s?.lastError ?? null,
      };
    }),
  );
}
