// Every CLI command, in the order `tgp --help` lists them.
import type { Command } from "../command";
import { botsList } from "./bots-list";
import { channelStats } from "./channel-stats";
import { commandsMenus, commandsSync } from "./commands";
import { createStaff } from "./create-staff";
import { setupBot } from "./setup-bot";
import { staffActivate, staffCreate, staffDeactivate, staffDelete, staffList, staffPassword } from "./staff";
import { startAllTasks, stopAllTasks } from "./tasks";
import { testBot } from "./test-bot";
import { tokensCreate, tokensList, tokensRevoke } from "./tokens";
import { webhookDelete, webhookInfo, webhookSet } from "./webhook";

export const COMMANDS: Command[] = [
  setupBot,
  testBot,
  botsList,
  channelStats,
  startAllTasks,
  stopAllTasks,
  webhookInfo,
  webhookSet,
  webhookDelete,
  commandsSync,
  commandsMenus,
  createStaff,
  staffList,
  staffCreate,
  staffDeactivate,
  staffActivate,
  staffDelete,
  staffPassword,
  tokensCreate,
  tokensList,
  tokensRevoke,
];
