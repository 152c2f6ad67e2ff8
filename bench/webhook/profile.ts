// Where a webhook delivery's time goes inside the Worker: drives deliveries at the
// platform under wrangler dev while V8's CPU profiler (through wrangler's inspector)
// samples the Worker's isolate, then prints self time by function and by source file.
// The local D1 and the runtime's own work are outside this isolate: they show as idle.
//
//   npx tsx bench/webhook/profile.ts [--n 1500] [--concurrency 16]
import { parseArgs } from "node:util";
import { startWorker, TEST_SECRETS } from "../../tests/helpers/wrangler-dev";
import { connectInspector, inspectorPort } from "../lib/inspector";
import { buildDeliveries } from "./deliveries";
import { startFakeBotApi } from "./fake-bot-api";

const { values } = parseArgs({ options: { n: { type: "string", default: "1500" }, concurrency: { type: "string", default: "16" } } });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main() {
  const api = await startFakeBotApi();
  const worker = await startWorker({ vars: { TELEGRAM_API_BASE: api.url, PUBLIC_BASE_URL: "https://bench.invalid" } });
  try {
    const auth = { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}`, "content-type": "application/json" };
    const token = `424242:AAE${"c".repeat(32)}`;
    const bot = (await (
      await fetch(`${worker.url}/api/bots`, { method: "POST", headers: auth, body: JSON.stringify({ name: "p", token }) })
    ).json()) as { id: number };
    await fetch(`${worker.url}/telegram/webhook/${bot.id}/set/`, { method: "POST", headers: auth, body: "{}" });
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": api.secretFor(token) ?? "" };
    const hook = `${worker.url}/telegram/webhook/${bot.id}/`;
    const post = (body: string) => fetch(hook, { method: "POST", headers, body }).then((r) => r.arrayBuffer());
    for (const d of buildDeliveries(100, 1)) await post(d.body);

    const insp = await connectInspector(inspectorPort(worker.stateDir));
    await insp.call("Profiler.enable");
    await insp.call("Profiler.setSamplingInterval", { interval: 200 });
    await insp.call("Profiler.start");
    const deliveries = buildDeliveries(Number(values.n));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        for (let d = deliveries[next++]; d; d = deliveries[next++]) await post(d.body);
      }),
    );
    const wall = performance.now() - t0;
    const { profile } = (await insp.call("Profiler.stop")) as { profile: Profile };
    insp.close();

    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    profile.samples.forEach((s, i) => {
      self.set(s, (self.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const byFn = new Map<string, number>();
    const byFile = new Map<string, number>();
    for (const [nid, ms] of self) {
      const f = (byId.get(nid) as ProfileNode).callFrame;
      const file = f.url.replace(/^.*?\/(src|node_modules)\//, "$1/") || "(native)";
      byFn.set(
        `${f.functionName || "(anonymous)"}  ${file}:${f.lineNumber + 1}`,
        (byFn.get(`${f.functionName || "(anonymous)"}  ${file}:${f.lineNumber + 1}`) ?? 0) + ms,
      );
      byFile.set(file, (byFile.get(file) ?? 0) + ms);
    }
    const n = deliveries.length;
    let idle = 0;
    for (const [nid, ms] of self) if ((byId.get(nid) as ProfileNode).callFrame.functionName === "(idle)") idle += ms;
    console.log(
      `${n} deliveries in ${(wall / 1000).toFixed(1)} s; profiled ${total.toFixed(0)} ms = ${(total / n).toFixed(2)} ms per delivery, ` +
        `of which the isolate was busy (not idle) ${((total - idle) / n).toFixed(2)} ms`,
    );
    const top = (m: Map<string, number>, k: number) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, k)
        .map(([name, ms]) => `${(ms / n).toFixed(3).padStart(7)} ms/delivery  ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`)
        .join("\n");
    console.log(`\nby file:\n${top(byFile, 25)}`);
    console.log(`\nby function:\n${top(byFn, 40)}`);
  } finally {
    await worker.stop();
    await api.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
