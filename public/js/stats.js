// Member history and activity charts (uPlot, served from /vendor/uplot). The same figures
// are in the page's tables, so nothing is lost without JavaScript.
(() => {
  const el = document.getElementById("chart-data");
  if (!el || typeof uPlot === "undefined") return;
  const data = JSON.parse(el.textContent);
  const dayEpoch = (d) => Date.parse(`${d}T00:00:00Z`) / 1000;
  const axes = [
    { stroke: "#98a0b8", grid: { stroke: "#2c3452" }, ticks: { stroke: "#2c3452" } },
    { stroke: "#98a0b8", grid: { stroke: "#2c3452" }, ticks: { stroke: "#2c3452" } },
  ];
  const charts = [];
  function draw(id, xs, series) {
    const box = document.getElementById(id);
    if (!box) return;
    const hasData = series.some((s) => s.values.some((v) => v !== null && v !== 0));
    // One point or none: the page shows a sentence instead (chart-notes.tsx); never stretch an axis.
    if (xs.length < 2 || !hasData) {
      box.innerHTML = "";
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = box.dataset.empty || "No data yet.";
      box.appendChild(p);
      return;
    }
    const opts = {
      width: Math.max(260, box.clientWidth),
      height: 200,
      axes,
      scales: { x: { time: true } },
      series: [
        {},
        ...series.map((s) => ({ label: s.label, stroke: s.color, fill: `${s.color}33`, width: 2, points: { show: xs.length < 40 } })),
      ],
    };
    charts.push([box, new uPlot(opts, [xs, ...series.map((s) => s.values)], box)]);
  }
  draw(
    "chart-members",
    data.members.map((p) => p.t),
    [{ label: "Members", color: "#6c8cff", values: data.members.map((p) => p.members) }],
  );
  draw(
    "chart-daily",
    data.daily.map((d) => dayEpoch(d.day)),
    [{ label: "Messages", color: "#38ef7d", values: data.daily.map((d) => d.messages) }],
  );
  const jl = data.daily.filter((d) => d.joins || d.leaves);
  draw(
    "chart-joins",
    jl.map((d) => dayEpoch(d.day)),
    [
      { label: "Joins", color: "#36c28a", values: jl.map((d) => d.joins) },
      { label: "Leaves", color: "#ff6b6b", values: jl.map((d) => d.leaves) },
    ],
  );
  window.addEventListener("resize", () => {
    for (const [box, chart] of charts) chart.setSize({ width: Math.max(260, box.clientWidth), height: 200 });
  });
})();
