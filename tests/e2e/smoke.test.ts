import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, TEST_SECRETS, type WorkerHandle } from "../helpers/wrangler-dev";

let worker: WorkerHandle;
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.stop();
});

describe("wrangler dev smoke", () => {
  it("serves the API with local D1 and the bearer token", async () => {
    const anon = await fetch(`${worker.url}/api/bots`);
    expect(anon.status).toBe(401);
    const res = await fetch(`${worker.url}/api/bots`, { headers: { authorization: `Bearer ${TEST_SECRETS.ADMIN_API_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ count: 0, results: [] });
    expect(worker.sql("SELECT count(*) AS n FROM bots")).toEqual([{ n: 0 }]);
  });
});
