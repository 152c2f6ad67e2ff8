// GET / on the fake Bot API: a small page to act as a user (send a message, press a
// button) and watch the conversation and the bot's calls. No build step, no framework.

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export function renderPage(fake) {
  const { bots, users, chats } = fake.snapshot();
  const option = (value, label) => `<option value="${esc(value)}">${esc(label)}</option>`;
  const chatOptions = [
    ...users.map((u) => option(u.id, `private with ${u.first_name} (${u.id})`)),
    ...chats.map((c) => option(c.id, `${c.type}: ${c.title} (${c.id}, bot ${c.bot_status})`)),
  ].join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fake Telegram</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#eef1f5;color:#222}
header{background:#2a7fc1;color:#fff;padding:.6rem 1rem}header h1{margin:0;font-size:1.1rem}
main{display:grid;grid-template-columns:minmax(260px,1fr) minmax(0,2fr);gap:1rem;padding:1rem;max-width:1200px}
section{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 2px #0002}
label{display:block;margin:.4rem 0 .1rem;font-size:.85rem;color:#555}select,input,button{font:inherit;width:100%;box-sizing:border-box;padding:.35rem}
button{margin-top:.5rem;background:#2a7fc1;color:#fff;border:0;border-radius:4px;cursor:pointer}
#chat{min-height:300px;max-height:60vh;overflow:auto;display:flex;flex-direction:column;gap:.4rem}
.msg{max-width:75%;padding:.4rem .6rem;border-radius:8px;white-space:pre-wrap;background:#f1f1f1}
.msg.bot{align-self:flex-start;background:#e3f0fb}.msg.user{align-self:flex-end;background:#dcf8c6}
.msg small{display:block;color:#777;font-size:.75rem}.kb{display:flex;flex-wrap:wrap;gap:.25rem;margin-top:.3rem}
.kb button{width:auto;flex:1;margin:0;background:#fff;color:#2a7fc1;border:1px solid #2a7fc1}
#status{font-size:.85rem;color:#555;min-height:1.2em}pre{font-size:.75rem;max-height:30vh;overflow:auto;white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.5rem}
</style></head><body>
<header><h1>Fake Telegram Bot API: act as a user</h1></header>
<main>
<section>
<label for="bot">Bot</label><select id="bot">${bots.map((b) => option(b.id, `@${b.username} (${b.id})${b.webhook.url ? " webhook set" : ""}`)).join("")}</select>
<label for="chat-id">Chat</label><select id="chat-id">${chatOptions}</select>
<label for="user">As user</label><select id="user">${users.map((u) => option(u.id, `${u.first_name} (${u.id})`)).join("")}</select>
<form id="send"><label for="text">Message</label><input id="text" name="text" value="/start" autocomplete="off"><button type="submit">Send</button></form>
<p id="status" role="status"></p>
<p><a href="/_calls">/_calls</a> · <a href="/_state">/_state</a></p>
</section>
<section><h2 style="margin-top:0;font-size:1rem">Conversation</h2><div id="chat" aria-live="polite"></div>
<h2 style="font-size:1rem">Latest Bot API calls</h2><pre id="calls"></pre></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
async function post(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await res.json();
  $("status").textContent = json.ok ? (json.delivered ? "delivered (update " + json.update.update_id + ")" : json.queued ? "queued: no webhook set (getUpdates)" : "delivery failed: " + (json.error || json.status)) : json.description;
  setTimeout(refresh, 300);
}
function who() { return { bot: $("bot").value, chat_id: $("chat-id").value, user_id: $("user").value }; }
$("send").addEventListener("submit", (e) => { e.preventDefault(); post("/_act/message", { ...who(), text: $("text").value }); });
async function refresh() {
  const q = new URLSearchParams({ bot: $("bot").value, chat_id: $("chat-id").value });
  const conv = await (await fetch("/_conversation?" + q)).json();
  const botId = Number($("bot").value);
  $("chat").innerHTML = (conv.results || []).map((m) => {
    const mine = m.from && m.from.id === botId;
    const body = m.text ?? m.caption ?? (m.photo ? "[photo]" : m.document ? "[document]" : "");
    const kb = (m.reply_markup && m.reply_markup.inline_keyboard || []).flat().map((b) => b.callback_data !== undefined
      ? '<button data-press="' + esc(b.callback_data) + '" data-mid="' + m.message_id + '">' + esc(b.text) + "</button>"
      : '<a href="' + esc(b.url || "#") + '">' + esc(b.text) + "</a>").join("");
    return '<div class="msg ' + (mine ? "bot" : "user") + '"><small>' + esc(mine ? "bot" : (m.from ? m.from.first_name : "channel")) + " · #" + m.message_id + (m.edit_date ? " · edited" : "") + "</small>" + esc(body) + (kb ? '<div class="kb">' + kb + "</div>" : "") + "</div>";
  }).join("");
  const calls = await (await fetch("/_calls?bot_id=" + botId)).json();
  $("calls").textContent = calls.results.slice(-8).reverse().map((c) => c.method + " " + (c.ok ? "ok" : c.error_code + " " + c.description) + " " + JSON.stringify(c.params).slice(0, 160)).join("\\n");
}
$("chat").addEventListener("click", (e) => {
  const b = e.target.closest("button[data-press]");
  if (b) post("/_act/press", { ...who(), data: b.dataset.press, message_id: Number(b.dataset.mid) });
});
for (const id of ["bot", "chat-id"]) $(id).addEventListener("change", refresh);
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
}
