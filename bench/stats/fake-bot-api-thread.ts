// The fake Bot API's own thread (see fake-bot-api.ts): listens, then posts its URL.
import { parentPort, workerData } from "node:worker_threads";
import { fakeUrl, listenFake } from "./fake-bot-api";

const { latencyMs, counters } = workerData as { latencyMs: number; counters: Int32Array };
const server = await listenFake(latencyMs, counters);
parentPort?.postMessage({ url: fakeUrl(server) });
