// GET /telegram/send-message/ (the form) and POST /telegram/send-message/ (form or JSON:
// { bot_id, chat_id, text?, parse_mode?, photo?, document?, caption? }).

import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { requireBot } from "../../db/bots";
import { chats } from "../../db/schema";
import { InputFile } from "../../lib/bot-api";
import { AppError } from "../../lib/errors";
import { parseWith, withSafeLinks, zFileRefOrEmpty } from "../../lib/validate";
import { governedStaffSend } from "../../services/staff-send";
import { toAppError } from "../../services/to-app-error";
import type { OutgoingMessage } from "../../telegram/outgoing";
import { type SendFormValues, SendPage, type SendPageProps } from "../../views/pages/send-message";
import { type Ctx, pagesApp, render, wantsHtml } from "./common";
import { botChoice } from "./telegram-stats";

const MAX_UPLOAD = 20 * 1024 * 1024;

const sendSchema = z
  .object({
    bot_id: z.coerce.number().int().positive(),
    chat_id: z.union([
      z.number().int(),
      z
        .string()
        .trim()
        .regex(/^(-?\d{1,16}|@[A-Za-z0-9_]{4,64})$/, "a chat id or @channel"),
    ]),
    text: withSafeLinks(z.string().max(32_768)).optional(),
    parse_mode: z.enum(["Markdown", "MarkdownV2", "HTML", ""]).optional(),
    // "" is an empty form field; anything else is a file_id or an http(s) URL.
    photo: zFileRefOrEmpty.optional(),
    document: zFileRefOrEmpty.optional(),
    caption: withSafeLinks(z.string().max(1024)).optional(),
  })
  .transform((v) => ({
    ...v,
    chat_id: typeof v.chat_id === "string" && /^-?\d+$/.test(v.chat_id) ? Number(v.chat_id) : v.chat_id,
    text: v.text?.trim() ? v.text : undefined,
    parse_mode: v.parse_mode || undefined,
    photo: v.photo || undefined,
    document: v.document || undefined,
    caption: v.caption?.trim() ? v.caption : undefined,
  }));

type SendInput = z.infer<typeof sendSchema> & { photoFile?: File; documentFile?: File };

async function readInput(c: Ctx): Promise<{ input: SendInput; values: SendFormValues }> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/json")) {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new AppError("BAD_REQUEST", "Body is not valid JSON");
    }
    const input = parseWith(sendSchema, raw, "body");
    return { input, values: {} };
  }
  if (!type.includes("form")) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send JSON or a form");
  const body = await c.req.parseBody();
  const str = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : undefined);
  const file = (k: string) => {
    const f = body[k];
    return f instanceof File && f.size > 0 ? f : undefined;
  };
  const values: SendFormValues = {
    chat_id: str("chat_id"),
    text: str("text"),
    parse_mode: str("parse_mode"),
    photo: str("photo"),
    document: str("document"),
    caption: str("caption"),
  };
  const input: SendInput = parseWith(sendSchema, { ...values, bot_id: str("bot_id") }, "form");
  input.photoFile = file("photo_file");
  input.documentFile = file("document_file");
  return { input, values };
}

function toOutgoing(i: SendInput): OutgoingMessage {
  for (const f of [i.photoFile, i.documentFile]) {
    if (f && f.size > MAX_UPLOAD) throw new AppError("PAYLOAD_TOO_LARGE", "Uploads are limited to 20 MB");
  }
  const chat_id = i.chat_id;
  const caption = i.caption ?? i.text;
  if (caption && caption.length > 1024 && (i.photo || i.photoFile || i.document || i.documentFile)) {
    throw new AppError("BAD_REQUEST", "A caption is at most 1024 characters");
  }
  const extra = { ...(caption ? { caption } : {}), ...(i.parse_mode ? { parse_mode: i.parse_mode } : {}) };
  if (i.photoFile)
    return { type: "photo", chat_id, photo: new InputFile(i.photoFile, i.photoFile.name || "photo", i.photoFile.type), ...extra };
  if (i.photo) return { type: "photo", chat_id, photo: i.photo, ...extra };
  if (i.documentFile) {
    return {
      type: "document",
      chat_id,
      document: new InputFile(i.documentFile, i.documentFile.name || "document", i.documentFile.type),
      ...extra,
    };
  }
  if (i.document) return { type: "document", chat_id, document: i.document, ...extra };
  if (!i.text) throw new AppError("BAD_REQUEST", "Write a text, or attach a photo or document");
  return { type: "text", chat_id, text: i.text, ...(i.parse_mode ? { parse_mode: i.parse_mode } : {}) };
}

async function pageProps(c: Ctx, botId?: number): Promise<Omit<SendPageProps, "values" | "result">> {
  const choice = await botChoice(c);
  const selected = botId ?? choice.botId;
  const known = selected
    ? await c.var.db
        .select({ chatId: chats.chatId, title: chats.title, username: chats.username, firstName: chats.firstName, type: chats.type })
        .from(chats)
        .where(eq(chats.botId, selected))
        .orderBy(desc(chats.lastSeenAt))
        .limit(500)
        .all()
    : [];
  return {
    bots: choice.bots,
    botId: selected,
    csrf: c.get("csrfToken"),
    chats: known.map((k) => ({
      chatId: k.chatId,
      label: `${k.title ?? k.firstName ?? k.chatId}${k.username ? ` (@${k.username})` : ""} · ${k.type}`,
    })),
  };
}

export const sendMessagePages = pagesApp()
  .get("/", async (c) =>
    render(c, { title: "Send a message", scripts: ["/js/send.js"] }, <SendPage {...(await pageProps(c))} values={{}} />),
  )
  .post("/", async (c) => {
    const html = wantsHtml(c);
    let values: SendFormValues = {};
    let botId: number | undefined;
    try {
      const read = await readInput(c);
      values = read.values;
      botId = read.input.bot_id;
      const bot = await requireBot(c.var.db, read.input.bot_id);
      if (!bot.isActive) throw new AppError("BAD_REQUEST", `Bot "${bot.name}" is not active; activate it first`);
      // Through the bot's send governor: it waits for a slot, or refuses (429) past its bound.
      const sent = await governedStaffSend({ env: c.env, db: c.var.db, log: c.var.log, bot }, toOutgoing(read.input));
      const messageIds = sent.map((m) => m.message_id);
      c.var.log.info("staff sent a message", { bot_id: bot.id, messages: messageIds.length });
      if (!html)
        return c.json({
          ok: true,
          bot_id: bot.id,
          chat_id: sent[0]?.chat.id ?? read.input.chat_id,
          message_ids: messageIds,
          messages: sent,
        });
      const props = await pageProps(c, bot.id);
      return render(
        c,
        { title: "Send a message", scripts: ["/js/send.js"] },
        <SendPage
          {...props}
          values={{ parse_mode: values.parse_mode }}
          result={{ ok: true, messageIds, chatId: String(read.input.chat_id) }}
        />,
      );
    } catch (err) {
      if (!html) throw err;
      const d = toAppError(err);
      if (d.status >= 500) c.var.log.error("send-message failed", { error: err });
      const props = await pageProps(c, botId);
      return render(
        c,
        { title: "Send a message", scripts: ["/js/send.js"] },
        <SendPage {...props} values={values} result={{ ok: false, message: d.message }} />,
        // The status toAppError gives, as the JSON API answers it (422 refused, 502 unreachable).
        d.status,
      );
    }
  });
