// A live preview of Telegram's Markdown / MarkdownV2 / HTML formatting for the send form.
(() => {
  const text = document.querySelector("textarea[data-preview]");
  const mode = document.getElementById("parse_mode");
  if (!text || !mode) return;
  const out = document.querySelector(text.dataset.preview);
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const safeUrl = (u) => (/^(https?:|tg:|mailto:)/i.test(u) ? u : "#");
  function markdown(src, v2) {
    let s = esc(src);
    s = s.replace(/```([\s\S]*?)```/g, (_, c) => `<pre>${c}</pre>`);
    s = s.replace(/`([^`\n]+)`/g, "<code>$1</code>");
    s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t, u) => `<a href="${safeUrl(u)}" rel="noopener">${t}</a>`);
    if (v2) {
      s = s.replace(/__([^_\n]+)__/g, "<u>$1</u>");
      s = s.replace(/~([^~\n]+)~/g, "<s>$1</s>");
      s = s.replace(/\|\|([^|\n]+)\|\|/g, '<span class="spoiler" style="background:#444">$1</span>');
      s = s.replace(/\\([_*[\]()~`>#+\-=|{}.!])/g, "$1");
    }
    s = s.replace(/\*([^*\n]+)\*/g, "<b>$1</b>");
    s = s.replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, "$1<i>$2</i>");
    return s;
  }
  function html(src) {
    // Only Telegram's allowed tags survive; everything else is shown as text.
    return esc(src).replace(/&lt;(\/?)(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler)&gt;/g, "<$1$2>");
  }
  function render() {
    const v = text.value;
    const m = mode.value;
    out.innerHTML = m === "HTML" ? html(v) : m === "Markdown" || m === "MarkdownV2" ? markdown(v, m === "MarkdownV2") : esc(v);
  }
  text.addEventListener("input", render);
  mode.addEventListener("change", render);
  render();
})();
