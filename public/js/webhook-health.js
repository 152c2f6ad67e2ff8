// The webhook health console: hourly bars of duplicates, redeliveries and failures (uPlot,
// from /vendor/uplot; the totals are in the page without JavaScript), and the allowed_updates
// presets ticking their kinds so the choice is visible before it is sent.
(() => {
  const preset = document.getElementById("preset");
  if (preset) {
    preset.addEventListener("change", () => {
      const opt = preset.selectedOptions[0];
      const kinds = opt?.dataset.kinds ? opt.dataset.kinds.split(",") : null;
      if (!kinds) return;
      for (const box of document.querySelectorAll('input[name="allowed_updates"]')) box.checked = kinds.includes(box.value);
    });
    // Ticking a kind by hand means the choice is the boxes, not a preset.
    for (const box of document.querySelectorAll('input[name="allowed_updates"]')) {
      box.addEventListener("change", () => {
        preset.value = "";
      });
    }
  }

  const el = document.getElementById("health-data");
  if (!el || typeof uPlot === "undefined") return;
  const data = JSON.parse(el.textContent);
  const colors = { duplicates: "#6c8cff", redeliveries: "#f7b500", failures: "#ff6b6b" };
  const axis = { stroke: "#98a0b8", grid: { stroke: "#2c3452" }, ticks: { stroke: "#2c3452" } };
  const charts = [];
  for (const box of document.querySelectorAll(".chart[data-series]")) {
    const name = box.dataset.series;
    const values = data.series[name] || [];
    if (!values.some((v) => v > 0)) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = box.dataset.empty || "None.";
      box.appendChild(p);
      continue;
    }
    const color = colors[name] || "#38ef7d";
    const opts = {
      width: Math.max(260, box.clientWidth),
      height: 160,
      legend: { show: false },
      axes: [axis, { ...axis, size: 40 }],
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        { label: name, stroke: color, fill: `${color}55`, width: 1, paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } },
      ],
    };
    charts.push([box, new uPlot(opts, [data.hours, values], box)]);
  }
  window.addEventListener("resize", () => {
    for (const [box, chart] of charts) chart.setSize({ width: Math.max(260, box.clientWidth), height: 160 });
  });
})();
