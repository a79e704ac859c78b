// The online rate (网办率) of the cases handled in a tenant's subtree: per month of a
// year as a line against the target set in the catalog module's settings
// (onlineRateTarget), and per tenant below (districts, with their streets rolled up)
// as bars; the figures in a table beside.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields, defaultTenant } from "../catalognav.js";
import { barChart, lineChart, percent } from "../chart.js";

// rollUp sums rate rows (tenant × month) into groups by key(row).
function rollUp(rows, key) {
  const m = new Map();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const x = m.get(k) || { cases: 0, online: 0 };
    x.cases += r.cases;
    x.online += r.online;
    m.set(k, x);
  }
  return m;
}

export async function render(ctx) {
  const { t, gqlAll, query } = ctx;
  const tenant = ctx.params.tenant || defaultTenant(ctx);
  const r = await gqlAll(`query($t:String!){ tenant(code:$t){ ${tenantFields} }
      onlineRate(tenant:$t, by:["tenant","month"]){ tenant month cases online }
      module: effectiveResource(kind:"Module", tenant:$t, name:"catalog"){ spec } }`, { t: tenant });
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: tenant }));
  const rows = r.data.onlineRate || [];
  const years = [...new Set(rows.map(x => x.month.slice(0, 4)))].sort();
  const year = query.get("year") || years[years.length - 1] || String(new Date().getFullYear());
  const inYear = rows.filter(x => x.month.startsWith(year));
  const settings = (r.data.module && r.data.module.spec && r.data.module.spec.settings) || {};
  const target = typeof settings.onlineRateTarget === "number" ? { value: settings.onlineRateTarget, label: t("catalog.rate.target", { v: percent(settings.onlineRateTarget) }) } : null;

  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`);
  const byMonth = rollUp(inYear, x => x.month);
  // Division codes nest (230102 → 230102001): a case handled at a street counts for
  // its district.
  const childOf = code => {
    if (code === tn.code) return tn.code;
    const c = tn.children.find(c => code.startsWith(c.code));
    return c ? c.code : null;
  };
  const byChild = rollUp(inYear, x => childOf(x.tenant));
  const groups = [tn, ...tn.children].filter(c => byChild.has(c.code));
  const total = rollUp(inYear, () => "all").get("all") || { cases: 0, online: 0 };
  const rate = x => (x && x.cases ? x.online / x.cases : null);

  const pick = h("form.toolbar#rate-year", h("label", t("catalog.rate.year"), " ",
    h("select", { name: "year", on: { change: ev => { location.hash = `#/rate/${tenant}?year=${ev.target.value}`; } } },
      (years.length ? years : [year]).map(y => h("option", { value: y, selected: y === year }, y)))));
  return h("section.rate",
    await header(ctx, tn, "rate", t("catalog.rate.title", { year })),
    r.errors.map(errorBox),
    pick,
    h("p#rate-total", t("catalog.rate.total", { rate: total.cases ? percent(total.online / total.cases) : "—", cases: total.cases, online: total.online })),
    inYear.length ? [
      h("div.charts",
        lineChart({ id: "rate-by-month", title: t("catalog.rate.byMonth", { year }), labels: months.map(m => t("catalog.rate.month", { m: Number(m.slice(5)) })),
          series: [{ name: t("catalog.rate.rate"), values: months.map(m => rate(byMonth.get(m))) }], yMax: 1, format: percent, target, legend: true }),
        barChart({ id: "rate-by-tenant", title: t("catalog.rate.byTenant", { year }), labels: groups.map(c => c.code === tn.code ? t("catalog.rate.self") : c.name),
          series: [{ name: t("catalog.rate.rate"), values: groups.map(c => rate(byChild.get(c.code))) }], yMax: 1, format: percent, target })),
      h("table#rate-table",
        h("tr", h("th", t("catalog.rate.where")), h("th", t("catalog.rate.cases")), h("th", t("catalog.rate.online")), h("th", t("catalog.rate.rate"))),
        groups.map(c => {
          const x = byChild.get(c.code);
          return h("tr", { dataset: { tenant: c.code } }, h("td", c.code === tn.code ? t("catalog.rate.self") : h("a", { href: `#/rate/${c.code}?year=${year}` }, c.name)),
            h("td", String(x.cases)), h("td", String(x.online)), h("td", percent(x.online / x.cases)));
        }))] : h("p.muted#rate-none", t("catalog.rate.none", { year })));
}
