// The webhook bench's fake Bot API on its own thread (see fake-bot-api.ts): listens, posts its
// URL, then every secret and watched arrival as it happens, and its call counts when asked.
import { parentPort, workerData } from "node:worker_threads";
import { listenFakeBotApi, urlOf } from "./fake-bot-api";

const { watchFrom } = workerData as { watchFrom?: number };
const calls = new Map<string, number>();
const server = await listenFakeBotApi(
  calls,
  {
    secret: (token, secret) => parentPort?.postMessage({ type: "secret", token, secret }),
    arrival: (arrival) => parentPort?.postMessage({ type: "arrival", arrival }),
  },
  watchFrom,
);
parentPort?.on("message", (m: { type: string }) => {
  if (m.type === "counts") parentPort?.postMessage({ type: "counts", counts: Object.fromEntries(calls) });
});
parentPort?.postMessage({ type: "url", url: urlOf(server) });
