// How long deleting a bot takes with N stored messages (its chats, messages, snapshots and
// every rollup go with it): seeds the api-scale data set, then times DELETE /api/bots/{id}.
//
//   npx tsx bench/api-scale/delete-bot.ts [--size 1000000]
import { parseArgs } from "node:util";
import { startWorker, TEST_SECRETS } from "../../tests/helpers/wrangler-dev";
import { BOT_ID, seedSql } from "./dataset";

const { values } = parseArgs({ options: { size: { type: "string", default: "1000000" } } });
const size = Number(values.size);

const w = await startWorker({ seedSql: seedSql(size), timeoutMs: 180_000 });
try {
  const count = (t: string) => (w.sql(`SELECT count(*) AS n FROM ${t} WHERE bot_id = ${BOT_ID}`)[0] as { n: number }).n;
  const tables = ["messages", "chats", "chat_user_daily", "chat_hourly_activity", "bot_user_days", "chat_snapshots"];
  console.log(`before: ${tables.map((t) => `${t} ${count(t)}`).join(", ")}`);
  const t0 = performance.now();
  const res = await fetch(`${w.url}/api/bots/${BOT_ID}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` },
  });
  const ms = performance.now() - t0;
  console.log(`DELETE /api/bots/${BOT_ID} with ${size} messages: ${res.status} in ${(ms / 1000).toFixed(2)} s`);
  console.log(`after: ${tables.map((t) => `${t} ${count(t)}`).join(", ")}`);
} finally {
  await w.stop();
}
