// While the bot's stats task collects stale chats in the background (started when the page
// was opened), asks rows.json every few seconds for the rows still "not collected yet" and
// fills them in as they land. Stops when nothing is pending, or after about three minutes.
(() => {
  const status = document.getElementById("collect-status");
  const url = status?.dataset.poll;
  if (!url) return;
  const fmt = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US"));
  const when = (t) => `${new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const pendingRows = () => [...document.querySelectorAll("tr[data-pending='1']")];
  let tries = 0;

  function setCell(row, name, value, sortValue) {
    const cell = row.querySelector(`[data-cell='${name}']`);
    if (!cell) return cell;
    if (typeof value === "string") cell.textContent = value;
    else cell.replaceChildren(value);
    if (sortValue !== undefined) cell.dataset.value = String(sortValue);
    return cell;
  }

  function adminsNode(r) {
    if (!r.administrators?.length) return document.createTextNode(fmt(r.admin_count));
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = fmt(r.admin_count ?? r.administrators.length);
    const list = document.createElement("ul");
    list.className = "admins";
    for (const a of r.administrators) {
      const li = document.createElement("li");
      li.textContent = `${a.name || `user ${a.user_id}`}${a.username ? ` @${a.username}` : ""}${a.status === "creator" ? " (owner)" : ""}`;
      list.appendChild(li);
    }
    details.append(summary, list);
    return details;
  }

  function fill(row, r) {
    setCell(row, "members", fmt(r.member_count), r.member_count ?? -1);
    setCell(row, "admins", adminsNode(r), r.admin_count ?? -1);
    setCell(row, "collected", when(r.collected_at), r.collected_at);
    setCell(row, "error", r.error ?? "");
    if (r.bot_role) setCell(row, "role", r.bot_role);
    row.removeAttribute("data-pending");
    row.classList.add("just-collected");
  }

  // The summary cards follow the rows: a count appears once some chat of its kind is collected.
  function fillTotals(t) {
    if (!t) return;
    const total = document.querySelector("[data-testid=total-members]");
    if (total && t.collected_chats > 0) {
      total.textContent = fmt(t.members);
      total.classList.remove("not-collected");
    }
    for (const [type, v] of Object.entries(t.by_type ?? {})) {
      const el = document.querySelector(`[data-testid=members-${type}]`);
      if (el && v.collected_chats > 0) {
        el.textContent = `${fmt(v.members)} members`;
        el.classList.remove("not-collected");
      }
    }
  }

  async function poll() {
    const rows = pendingRows();
    const ids = rows.map((r) => r.dataset.chatId).slice(0, 200);
    let answer;
    try {
      const res = await fetch(`${url}&chat_ids=${encodeURIComponent(ids.join(","))}`, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      answer = await res.json();
    } catch (err) {
      status.textContent = `Could not check the background collection (${err.message}); reload the page to see the figures.`;
      return;
    }
    const byId = new Map(answer.rows.map((r) => [String(r.chat_id), r]));
    for (const row of rows) {
      const r = byId.get(row.dataset.chatId);
      if (r && r.collected_at !== null) fill(row, r);
    }
    fillTotals(answer.totals);
    const left = pendingRows().length;
    if (left === 0 && answer.stale === 0) {
      status.textContent = "Background collection finished: every chat is up to date.";
      return;
    }
    if (++tries > 90) {
      status.textContent = `The background collection is still running (${answer.stale} chat(s) left); reload later to see them.`;
      return;
    }
    status.textContent = `Collecting in the background: ${answer.stale} chat(s) still to collect…`;
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 1000);
})();
