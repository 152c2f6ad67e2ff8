// /games: the latest games (content_items kind "game").
import { replyWithContent } from "./content-list";
import type { CommandDefinition } from "./types";

export const games: CommandDefinition = {
  name: "games",
  description: "cmd.games",
  handle: (ctx) => replyWithContent(ctx, "game", "games.header", "games.empty"),
};
