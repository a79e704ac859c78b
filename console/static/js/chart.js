// Small SVG charts, no library: bar and line charts with axes, labels, a legend and
// an accessible title and description. Each returns a <figure>; colours come from
// the stylesheet (.series-0 …), so charts follow the console's palette.
const NS = "http://www.w3.org/2000/svg";
let seq = 0;

// s builds an SVG element: s("rect", {x: 1}, ...children).
function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, v);
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

// niceMax rounds a maximum up to 1, 2, 2.5 or 5 × 10^n, so axis ticks read well.
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map(m => m * p).find(m => m >= v);
}

const W = 640, H = 260, M = { top: 16, right: 16, bottom: 52, left: 56 };

// frame draws the title, axes and grid; it returns the figure, the svg, and the
// scales of the plot area.
function frame(o, kind) {
  const id = "chart-" + (++seq);
  const all = o.series.flatMap(x => x.values).filter(v => v !== null && v !== undefined);
  let max = o.yMax ?? niceMax(Math.max(0, ...all, o.target ? o.target.value : 0));
  if (o.integer && !o.yMax) max = Math.max(max, 4);
  const fmt = o.format || (o.integer ? v => String(Math.round(v)) : v => String(Math.round(v * 100) / 100));
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const y = v => M.top + ph - (v / max) * ph;
  const n = Math.max(o.labels.length, 1);
  const band = pw / n;
  const x = i => M.left + band * i + band / 2;
  const desc = o.desc || o.series.map(sr => sr.name + ": " + o.labels.map((l, i) => l + " " + (sr.values[i] == null ? "—" : fmt(sr.values[i]))).join(", ")).join("; ");
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": id + "-t " + id + "-d", class: "chart " + kind },
    s("title", { id: id + "-t" }, o.title), s("desc", { id: id + "-d" }, desc));
  // Four steps, or five where that keeps whole numbers (0, 2, 4 … 10).
  const ticks = max % 4 !== 0 && max % 5 === 0 ? 5 : 4;
  for (let i = 0; i <= ticks; i++) {
    const v = (max / ticks) * i;
    svg.append(s("line", { class: "grid", x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }),
      s("text", { class: "tick", x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)));
  }
  const tilt = n > 8;
  const every = Math.ceil(n / 24);
  o.labels.forEach((l, i) => {
    if (i % every) return;
    svg.append(s("text", tilt
      ? { class: "label", x: x(i), y: H - M.bottom + 12, "text-anchor": "end", transform: `rotate(-35 ${x(i)} ${H - M.bottom + 12})` }
      : { class: "label", x: x(i), y: H - M.bottom + 16, "text-anchor": "middle" }, l));
  });
  svg.append(s("line", { class: "axis", x1: M.left, x2: W - M.right, y1: y(0), y2: y(0) }),
    s("line", { class: "axis", x1: M.left, x2: M.left, y1: M.top, y2: y(0) }));
  const fig = document.createElement("figure");
  fig.className = "chart-figure";
  if (o.id) fig.id = o.id;
  const cap = document.createElement("figcaption");
  cap.textContent = o.title;
  fig.append(cap, svg);
  if (o.series.length > 1 || o.legend) {
    const ul = document.createElement("ul");
    ul.className = "chart-legend";
    o.series.forEach((sr, i) => {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "swatch series-" + (i % 6);
      li.append(sw, " " + sr.name);
      ul.append(li);
    });
    fig.append(ul);
  }
  // finish draws what goes over the data: the target line and its label.
  const finish = () => {
    if (!o.target) return fig;
    svg.append(s("line", { class: "target", x1: M.left, x2: W - M.right, y1: y(o.target.value), y2: y(o.target.value) }),
      s("text", { class: "target-label", x: W - M.right, y: y(o.target.value) - 4, "text-anchor": "end" }, o.target.label));
    return fig;
  };
  return { fig, svg, x, y, band, fmt, finish };
}

// barChart draws grouped bars: o = {title, labels, series: [{name, values}],
// format, integer (counts: whole-number ticks), yMax, target: {value, label}, id,
// desc, legend}.
export function barChart(o) {
  const { svg, x, y, band, fmt, finish } = frame(o, "bar");
  const k = o.series.length;
  const bw = Math.max(2, Math.min(48, (band * 0.75) / k));
  o.series.forEach((sr, si) => {
    sr.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const bx = x(i) - (bw * k) / 2 + bw * si;
      const top = y(v);
      svg.append(s("rect", { class: "bar series-" + (si % 6), x: bx, y: top, width: bw - 1, height: Math.max(0, y(0) - top), "data-label": o.labels[i], "data-value": v },
        s("title", null, `${o.labels[i]} · ${sr.name}: ${fmt(v)}`)));
      if (o.labels.length <= 16 && k <= 2) svg.append(s("text", { class: "value", x: bx + bw / 2, y: top - 3, "text-anchor": "middle" }, fmt(v)));
    });
  });
  return finish();
}

// lineChart draws one line per series, with a dot per value.
export function lineChart(o) {
  const { svg, x, y, fmt, finish } = frame(o, "line");
  o.series.forEach((sr, si) => {
    const pts = sr.values.map((v, i) => (v === null || v === undefined ? null : [x(i), y(v), v, i])).filter(Boolean);
    if (!pts.length) return;
    svg.append(s("polyline", { class: "line series-" + (si % 6), points: pts.map(p => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ") }));
    pts.forEach(([px, py, v, i]) => svg.append(s("circle", { class: "dot series-" + (si % 6), cx: px, cy: py, r: 3.5, "data-label": o.labels[i], "data-value": v },
      s("title", null, `${o.labels[i]} · ${sr.name}: ${fmt(v)}`))));
  });
  return finish();
}

// percent formats a share (0–1) as a percentage.
export const percent = v => (Math.round(v * 1000) / 10) + "%";
