// A tenant's working-day calendar for one year: twelve months marking weekends,
// statutory holidays, adjusted working days (调休上班), local closures and extra
// working days, from one workingDaysBetween over the year; and "from + N working days"
// through addWorkingDays.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";

const kinds = ["holiday", "adjusted-workday", "closure", "extra-workday", "weekend"];
const pad = n => String(n).padStart(2, "0");

export async function render(ctx) {
  const { t, gql, params } = ctx;
  const tenant = params.tenant || (ctx.roots[0] && ctx.roots[0].code) || "";
  const year = Number(params.year) || 2026;
  const d = await gql(`query($t:String!,$f:String!,$to:String!){
      tenant(code:$t){ code name }
      workingDaysBetween(tenant:$t, from:$f, to:$to){ count coverage skipped{ date kind reason layer } worked{ date kind reason layer } }
    }`, { t: tenant, f: `${year - 1}-12-31`, to: `${year}-12-31` });
  if (!d.tenant) throw new Error(t("tenant.notfound", { code: tenant }));
  const w = d.workingDaysBetween;
  const special = new Map();
  for (const x of [...w.skipped, ...w.worked]) special.set(x.date, x);

  const month = m => {
    const first = new Date(Date.UTC(year, m, 1));
    const days = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
    const lead = (first.getUTCDay() + 6) % 7; // Monday first
    const cells = [];
    for (let i = 0; i < lead; i++) cells.push(h("td"));
    for (let day = 1; day <= days; day++) {
      const date = `${year}-${pad(m + 1)}-${pad(day)}`;
      const x = special.get(date);
      const title = x ? `${t("cal.kind." + x.kind)}: ${x.reason}${x.layer !== "national" ? " (" + x.layer + ")" : ""}` : null;
      cells.push(h("td", { class: x ? "day " + x.kind : "day", dataset: { date, kind: x ? x.kind : "workday" }, title }, String(day)));
    }
    const rows = [];
    for (let i = 0; i < cells.length; i += 7) rows.push(h("tr", cells.slice(i, i + 7)));
    return h("table.month",
      h("caption", t("cal.month", { m: m + 1 })),
      h("tr", [1, 2, 3, 4, 5, 6, 7].map(i => h("th", t("cal.wd." + i)))),
      rows);
  };

  const out = h("div#deadline");
  const form = h("form#add-days.toolbar",
    h("label", t("cal.from"), " ", h("input", { name: "from", type: "date", value: `${year}-02-12`, required: true })),
    h("label", "+ ", h("input", { name: "days", type: "number", min: "0", value: "20", required: true }), " ", t("cal.workingDays")),
    h("button", { type: "submit" }, t("cal.compute")));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const f = new FormData(form);
    out.replaceChildren();
    try {
      const r = await gql(`query($t:String!,$f:String!,$n:Int!){ addWorkingDays(tenant:$t, from:$f, days:$n){ date skipped{ date kind reason } worked{ date reason } coverage } }`,
        { t: tenant, f: f.get("from"), n: Number(f.get("days")) });
      const a = r.addWorkingDays;
      out.append(h("p", t("cal.result", { n: f.get("days"), from: f.get("from") }), " ", h("strong#deadline-date", a.date)),
        h("p.muted", t("cal.skipped", { n: a.skipped.length, holidays: a.skipped.filter(x => x.kind !== "weekend").length, worked: a.worked.length })),
        a.coverage ? h("p.muted", a.coverage) : null);
    } catch (e) {
      out.append(errorBox(e));
    }
  });

  const pick = h("form#calendar-pick.toolbar",
    h("label", t("resources.tenant"), " ", h("input", { name: "tenant", value: tenant, size: 8, required: true })),
    h("label", t("cal.year"), " ", h("input", { name: "year", type: "number", min: "2000", max: "2099", value: String(year), required: true })),
    h("button", { type: "submit" }, t("cal.show")));
  pick.addEventListener("submit", ev => {
    ev.preventDefault();
    const f = new FormData(pick);
    location.hash = `#/calendar/${encodeURIComponent(f.get("tenant").trim())}/${f.get("year")}`;
  });
  return h("section",
    pick,
    h("nav.crumbs", h("a", { href: `#/calendar/${tenant}/${year - 1}` }, "← " + (year - 1)), " · ", h("a", { href: `#/calendar/${tenant}/${year + 1}` }, (year + 1) + " →")),
    h("h2", t("cal.title", { year }), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, d.tenant.name), h("span.code", tenant)),
    h("p.muted", t("cal.count", { n: w.count })),
    w.coverage ? h("p.muted", w.coverage) : null,
    h("ul.legend", kinds.map(k => h("li", h("span", { class: "day " + k }, " "), " ", t("cal.kind." + k)))),
    h("div.year", Array.from({ length: 12 }, (_, m) => month(m))),
    h("h3", t("cal.add")), form, out);
}
