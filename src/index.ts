// The Worker's entry point: wires handlers and re-exports the Durable Object class.
import { createApp } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./scheduled";

export { BotCoordinator } from "./coordinator/bot-coordinator";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
} satisfies ExportedHandler<Env>;
