// Broadcasts never send twice: whenever the outcome of a send is open (a 5xx, a dropped
// connection, a failed write after Telegram accepted, a coordinator that died between the
// send and its record) the delivery is reported "unknown" and is not resent.
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeClock } from "../../src/tasks/clock";
import { apiJson, createBot } from "../helpers/api";
import { FakeTelegram, type Scripted } from "../helpers/fake-telegram";
import { drain, runAlarm, type Stub, stubFor, useFakeClock } from "./coordinator-support";

const fake = new FakeTelegram();
const tg = fake.addBot(8402, "once_bot");
let botId = 0;
let stub: Stub;
let clock: FakeClock;
const chats = [31_001, 31_002, 31_003, 31_004, 31_005];
const ODD = 31_003;

type Report = {
  status: string;
  counts: Record<string, number>;
  deliveries: { chat_id: number; status: string; error: string | null; message_id: number | null; attempts: number }[];
};
const report = async (id: number) => (await apiJson<Report>(`/api/broadcasts/${id}`)).body;

async function broadcast(text: string): Promise<number> {
  const res = await apiJson<{ id: number }>("/api/broadcasts", { body: { bot_id: botId, text, chat_ids: chats } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Answers `odd` for sends to ODD (every time), the default otherwise. */
function oddChatAnswers(odd: Scripted | undefined) {
  fake.on("sendMessage", (call) => (Number(call.params.chat_id) === ODD ? odd : undefined));
}
const sendsTo = (chat: number, text: string) =>
  fake.callsOf("sendMessage").filter((c) => Number(c.params.chat_id) === chat && c.params.text === text).length;
const storedOut = async (text: string) =>
  (
    await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE bot_id = ? AND direction = 'out' AND text = ?")
      .bind(botId, text)
      .first<{ n: number }>()
  )?.n;

beforeAll(async () => {
  fake.listen();
  botId = (await createBot("Once bot", tg.token)).id;
  stub = stubFor(botId);
});
afterEach(async () => {
  fake.reset();
  await env.DB.exec("DROP TRIGGER IF EXISTS fail_delivery_record");
});
afterAll(() => fake.close());

async function expectOthersSent(id: number, text: string) {
  const r = await report(id);
  expect(r.status).toBe("done");
  for (const c of chats.filter((c) => c !== ODD)) {
    expect(r.deliveries.find((d) => d.chat_id === c)?.status, String(c)).toBe("sent");
    expect(sendsTo(c, text), String(c)).toBe(1);
  }
  return r;
}

describe("a broadcast whose send outcome is open reports it unknown and does not resend", () => {
  it("Telegram (or a proxy in front of it) answers 502", async () => {
    clock = await useFakeClock(stub);
    oddChatAnswers({ status: 502, body: "<html>Bad Gateway</html>" });
    const id = await broadcast("five oh two");
    await drain(stub, clock);
    const r = await expectOthersSent(id, "five oh two");
    expect(r.deliveries.find((d) => d.chat_id === ODD)).toMatchObject({
      status: "unknown",
      error: expect.stringMatching(/^unknown: .*not resent/),
    });
    expect(r.counts).toMatchObject({ total: 5, sent: 4, unknown: 1, pending: 0, sending: 0 });
    expect(sendsTo(ODD, "five oh two")).toBe(1);
  });

  it("a Bot API 5xx envelope (500 Internal Server Error)", async () => {
    clock = await useFakeClock(stub);
    oddChatAnswers({ error_code: 500, description: "Internal Server Error" });
    const id = await broadcast("five hundred");
    await drain(stub, clock);
    const r = await expectOthersSent(id, "five hundred");
    expect(r.deliveries.find((d) => d.chat_id === ODD)).toMatchObject({ status: "unknown", error: expect.stringContaining("500") });
    expect(sendsTo(ODD, "five hundred")).toBe(1);
  });

  it("the connection drops (a network error)", async () => {
    clock = await useFakeClock(stub);
    oddChatAnswers({ networkError: true });
    const id = await broadcast("dropped");
    await drain(stub, clock);
    const r = await expectOthersSent(id, "dropped");
    expect(r.deliveries.find((d) => d.chat_id === ODD)).toMatchObject({
      status: "unknown",
      error: expect.stringMatching(/no answer from Telegram/),
    });
    expect(sendsTo(ODD, "dropped")).toBe(1);
  });

  it("Telegram accepts but the D1 write recording it fails", async () => {
    clock = await useFakeClock(stub);
    // The record of ODD's send (the batch storing the message and the delivery) fails in D1.
    await env.DB.exec(
      `CREATE TRIGGER fail_delivery_record BEFORE UPDATE ON broadcast_deliveries WHEN NEW.chat_id = ${ODD} AND NEW.status = 'sent' BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END`,
    );
    const id = await broadcast("accepted then lost");
    await drain(stub, clock);
    const r = await expectOthersSent(id, "accepted then lost");
    expect(r.deliveries.find((d) => d.chat_id === ODD)).toMatchObject({
      status: "unknown",
      error: expect.stringMatching(/Telegram accepted but recording the delivery failed/),
    });
    expect(sendsTo(ODD, "accepted then lost")).toBe(1);
    expect(await storedOut("accepted then lost")).toBe(4); // the failed batch stored nothing for ODD
  });

  it("every write after the send fails (D1 down): the run stops, the next one reports it unknown", async () => {
    clock = await useFakeClock(stub);
    // Any update of ODD's delivery away from "sending" fails: the record and its fallback.
    await env.DB.exec(
      `CREATE TRIGGER fail_delivery_record BEFORE UPDATE ON broadcast_deliveries WHEN NEW.chat_id = ${ODD} AND OLD.status = 'sending' BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END`,
    );
    const id = await broadcast("d1 down");
    for (let i = 0; i < 5 && sendsTo(ODD, "d1 down") === 0; i++) await runAlarm(stub, clock);
    expect(sendsTo(ODD, "d1 down")).toBe(1);
    const mid = await report(id);
    expect(mid.deliveries.find((d) => d.chat_id === ODD)?.status).toBe("sending");
    await env.DB.exec("DROP TRIGGER fail_delivery_record");
    await drain(stub, clock);
    const r = await expectOthersSent(id, "d1 down");
    expect(r.deliveries.find((d) => d.chat_id === ODD)).toMatchObject({
      status: "unknown",
      error: expect.stringMatching(/stopped between the send/),
    });
    expect(sendsTo(ODD, "d1 down")).toBe(1);
  });

  it("the coordinator is evicted between the send and the record", async () => {
    clock = await useFakeClock(stub);
    const id = await broadcast("evicted");
    // What a coordinator that died right after Telegram accepted leaves behind: the intent,
    // written before the send, and no record (its in-memory state is gone with it).
    await env.DB.prepare("UPDATE broadcast_deliveries SET status = 'sending', attempts = 1 WHERE broadcast_id = ? AND chat_id = ?")
      .bind(id, ODD)
      .run();
    await drain(stub, clock);
    const r = await expectOthersSent(id, "evicted");
    expect(r.deliveries.find((d) => d.chat_id === ODD)).toMatchObject({
      status: "unknown",
      attempts: 1,
      error: expect.stringMatching(/not resent/),
    });
    expect(sendsTo(ODD, "evicted")).toBe(0);
    expect(r.counts).toMatchObject({ sent: 4, unknown: 1, sending: 0 });
    // The report can list just the unknown ones.
    const unknown = await apiJson<Report>(`/api/broadcasts/${id}?status=unknown`);
    expect(unknown.body.deliveries.map((d) => d.chat_id)).toEqual([ODD]);
  });

  it("the intent is written before the send: a failing intent write sends nothing", async () => {
    clock = await useFakeClock(stub);
    await env.DB.exec(
      `CREATE TRIGGER fail_delivery_record BEFORE UPDATE ON broadcast_deliveries WHEN NEW.chat_id = ${ODD} AND NEW.status = 'sending' BEGIN SELECT RAISE(ABORT, 'injected D1 failure'); END`,
    );
    const seen: string[] = [];
    fake.on("sendMessage", (call) => {
      if (Number(call.params.chat_id) === ODD) seen.push("sent while the intent write fails");
      return undefined;
    });
    const id = await broadcast("intent first");
    for (let i = 0; i < 2; i++) await runAlarm(stub, clock);
    expect(seen).toEqual([]);
    expect((await report(id)).deliveries.find((d) => d.chat_id === ODD)?.status).toBe("pending");
    await env.DB.exec("DROP TRIGGER fail_delivery_record");
    await drain(stub, clock);
    const r = await expectOthersSent(id, "intent first");
    expect(r.deliveries.find((d) => d.chat_id === ODD)?.status).toBe("sent");
    expect(sendsTo(ODD, "intent first")).toBe(1);
  });
});
