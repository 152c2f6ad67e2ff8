// Small progressive enhancements shared by every page; each page works without them.
(() => {
  // A bot selector that reloads the page when it changes.
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    for (const select of form.querySelectorAll("select")) select.addEventListener("change", () => form.submit());
  }
  // Confirm destructive actions.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }
  // Live filter of a table's rows as you type (the server-side ?q= does the same without JavaScript).
  for (const input of document.querySelectorAll("input[data-filter]")) {
    const table = document.querySelector(input.dataset.filter);
    if (!table) continue;
    const rows = Array.from(table.tBodies[0].rows);
    const apply = () => {
      const q = input.value.trim().toLowerCase();
      for (const row of rows) row.hidden = q !== "" && !row.textContent.toLowerCase().includes(q);
    };
    input.addEventListener("input", apply);
  }
  // Sortable tables: a button in each header cell, numeric or text order, aria-sort kept right.
  for (const table of document.querySelectorAll("table.sortable")) {
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((th, col) => {
      if (!th.dataset.sort) return;
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort";
      btn.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(btn);
      btn.addEventListener("click", () => {
        const dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        for (const h of heads) h.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", dir);
        const body = table.tBodies[0];
        const key = (row) => {
          const cell = row.cells[col];
          if (th.dataset.sort === "num") return Number(cell.dataset.value ?? cell.textContent.replace(/[^\d.-]/g, "")) || 0;
          return cell.textContent.trim().toLowerCase();
        };
        const rows = Array.from(body.rows).sort((a, b) => {
          const x = key(a);
          const y = key(b);
          const r = x < y ? -1 : x > y ? 1 : 0;
          return dir === "ascending" ? r : -r;
        });
        for (const r of rows) body.appendChild(r);
      });
    });
  }
})();
