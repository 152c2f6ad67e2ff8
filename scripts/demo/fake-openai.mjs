// A tiny stand-in for OpenAI's chat completions API, so the demo bot can answer with "AI"
// through the platform's real path (the openai SDK, limits, usage recorded per user) with no
// account. Answers are canned and deterministic; usage counts roughly 4 characters a token.
// Asked for a stream (`stream: true`, as the platform asks), it answers with server-sent events
// a few words at a time, so the demo shows the answer growing as drafts in Telegram.
import { createServer } from "node:http";

const ANSWERS = [
  "Happy to help! This week the group talked most on Tuesday and Wednesday evenings.",
  "Good question. Try /news for the latest posts, or /settings to pick your language.",
  "Here is a short summary: more people joined this week than last, and the channel keeps growing.",
];

export async function startFakeOpenAi({ port = 0 } = {}) {
  let n = 0;
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    if (req.method !== "POST" || !/\/chat\/completions$/.test(req.url ?? "")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error" } }));
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    const prompt = (body.messages ?? []).map((m) => String(m.content ?? "")).join("\n");
    const text = ANSWERS[n++ % ANSWERS.length];
    const promptTokens = Math.ceil(prompt.length / 4);
    const completionTokens = Math.ceil(text.length / 4);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (body.stream === true) {
      const base = {
        id: `chatcmpl-demo-${n}`,
        object: "chat.completion.chunk",
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? "demo",
      };
      res.writeHead(200, { "content-type": "text/event-stream" });
      const words = text.split(/(?<= )/);
      for (let i = 0; i < words.length; i += 4) {
        const content = words.slice(i, i + 4).join("");
        res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`);
        await new Promise((r) => setTimeout(r, 150));
      }
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
      res.write("data: [DONE]\n\n");
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `chatcmpl-demo-${n}`,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? "demo",
        choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
      }),
    );
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${address.port}/v1`, close: () => new Promise((r) => server.close(() => r())) };
}
