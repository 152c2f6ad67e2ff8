// Start/stop (one task, or all) without leaving the page, with Telegram's or the server's
// error shown readably. Without JavaScript the same forms post and are redirected back here.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;
  async function post(url) {
    const res = await fetch(url, { method: "POST", headers: { "x-csrf-token": csrf || "", accept: "application/json" } });
    if (res.ok) return null;
    try {
      const body = await res.json();
      return body?.error?.message || `failed (${res.status})`;
    } catch {
      return `failed (${res.status})`;
    }
  }
  for (const form of document.querySelectorAll("form[data-task-action]")) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const button = form.querySelector("button");
      if (button) button.disabled = true;
      const err = await post(form.action);
      if (err) {
        window.alert(err);
        if (button) button.disabled = false;
      } else window.location.reload();
    });
  }
})();
