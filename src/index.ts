// The Worker's entry point: wires handlers and re-exports the Durable Object class.
import { createApp, createWebhookApp, isWebhookDelivery } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./scheduled";

export { BotCoordinator } from "./coordinator/bot-coordinator";

const app = createApp();
const webhookApp = createWebhookApp();

export default {
  // Telegram's deliveries skip the full router (same handler, services and error answers).
  fetch: (request, env, ctx) => (isWebhookDelivery(request) ? webhookApp.fetch(request, env, ctx) : app.fetch(request, env, ctx)),
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(controller, env));
  },
} satisfies ExportedHandler<Env>;
