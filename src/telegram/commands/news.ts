// /news: the latest news items (content_items kind "news").
import { replyWithContent } from "./content-list";
import type { CommandDefinition } from "./types";

export const news: CommandDefinition = {
  name: "news",
  description: "cmd.news",
  handle: (ctx) => replyWithContent(ctx, "news", "news.header", "news.empty"),
};
