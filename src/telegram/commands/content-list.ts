// Shared by /news and /games: the latest content_items of a kind, for this bot or all bots.
import { latestContentItems } from "../../db/content-items";
import { isHttpUrl } from "../../lib/validate";
import type { MessageKey } from "../i18n";
import type { CommandContext } from "./types";

const LIMIT = 5;

export async function replyWithContent(ctx: CommandContext, kind: "news" | "game", header: MessageKey, empty: MessageKey) {
  const rows = await latestContentItems(ctx.db, ctx.bot.id, kind, LIMIT);
  if (rows.length === 0) {
    await ctx.reply(ctx.t(empty));
    return;
  }
  const lines = rows.map((r) => {
    const parts = [`• ${r.title}`];
    if (r.summary) parts.push(`  ${r.summary}`);
    // Rows stored before URLs were checked may hold another scheme: only http(s) is shown.
    if (r.url && isHttpUrl(r.url)) parts.push(`  ${r.url}`);
    return parts.join("\n");
  });
  await ctx.reply([ctx.t(header), ...lines].join("\n"), { link_preview_options: { is_disabled: true } });
}
