// The broadcast pages: the compose form's button preview (the text preview is send.js),
// and a delivery report that fills in while the broadcast runs: its counts are re-read from
// GET /api/broadcasts/{id} every 2 s, and the page reloads once when nothing is waiting.
(() => {
  const box = document.getElementById("preview-buttons");
  if (box) {
    const render = () => {
      box.textContent = "";
      for (let i = 1; i <= 4; i++) {
        const label = document.querySelector(`input[name="button_text_${i}"]`)?.value.trim();
        if (!label) continue;
        const b = document.createElement("span");
        b.className = "tg-button";
        b.textContent = `${label} ↗`;
        box.appendChild(b);
      }
    };
    for (const el of document.querySelectorAll('input[name^="button_text_"]')) el.addEventListener("input", render);
    render();
  }

  const counts = document.querySelector("#report-counts[data-refresh]");
  const m = window.location.pathname.match(/\/telegram\/broadcasts\/(\d+)\/?$/);
  if (!counts || !m) return;
  const set = (name, n) => {
    const el = counts.querySelector(`[data-count="${name}"] strong`);
    if (el) el.textContent = n.toLocaleString("en-US");
  };
  const tick = async () => {
    try {
      const res = await fetch(`/api/broadcasts/${m[1]}?limit=1`, { headers: { accept: "application/json" } });
      if (res.ok) {
        const k = (await res.json()).counts;
        set("sent", k.sent);
        set("failed", k.failed);
        set("unknown", k.unknown);
        set("skipped", k.skipped);
        set("waiting", k.pending + k.sending);
        if (k.pending + k.sending === 0) {
          window.location.reload();
          return;
        }
      }
    } catch {
      // Offline for a moment: try again on the next tick.
    }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
})();
