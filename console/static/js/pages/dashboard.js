// The dashboard at a tenant (?tenant=, default the user's top tenant): tenants by
// level, the basic catalog by item type, implementations per tenant below, the
// online rate per month and recent changes per day, each a chart answered by
// GraphQL. A part the user may not read is left out, not shown as an error.
import { h } from "../dom.js";
import { errorBox, fmtTime, tenantCrumbs } from "../ui.js";
import { lang } from "../i18n.js";
import { barChart, lineChart, percent } from "../chart.js";

const levels = ["province", "city", "county", "township"];
const DAYS = 14;

export async function render(ctx) {
  const { t, gql, gqlAll, query } = ctx;
  const tenant = query.get("tenant") || (ctx.roots[0] && ctx.roots[0].code) || "";
  const d = await gql(`query($t:String!){ tenant(code:$t){ code name ancestors{ code name } children{ code name } } kinds{ name } }`, { t: tenant });
  const tn = d.tenant;
  if (!tn) throw new Error(t("tenant.notfound", { code: tenant }));
  const checks = [["tenants", "read"], ["ServiceItem", "read"], ["ServiceImplementation", "read"], ["catalog", "read"], ["audit", "read"], ["CodeTable", "read"]];
  const kinds = d.kinds.map(k => k.name);
  const ok = await ctx.can(tenant, [...checks, ...kinds.map(k => [k, "read"])]);
  // Without the catalog module (no ServiceItem kind) its parts are not asked for.
  const catalog = kinds.includes("ServiceItem");
  const [tenants, items, impls, rate, audit, codes] = ok.map((x, i) => x !== false && (catalog || i === 0 || i >= 4));
  // The catalog's implementation and item layers number thousands: listing them
  // for "recent changes" costs more than the page may; its pages show them.
  const bulk = ["ServiceItem", "ServiceImplementation"];
  const readable = kinds.filter((k, i) => ok[checks.length + i] !== false && !bulk.includes(k));

  // One request for every part the user may read.
  const parts = [];
  if (tenants) parts.push(...levels.map(l => `lv_${l}: tenants(level:"${l}", within:$t, first:1){ totalCount }`));
  if (items) parts.push(`byType: serviceItemCounts(tenant:$t, by:"type"){ key name count }`);
  if (items && codes) parts.push(`types: codeTable(tenant:$t, name:"item-types"){ codes{ code name } }`);
  if (impls) parts.push(...tn.children.map((c, i) => `im${i}: serviceImplementations(tenant:"${c.code}", subtree:true, first:1){ totalCount }`));
  if (rate) parts.push(`rate: onlineRate(tenant:$t, by:["month"]){ month cases online rate }`);
  if (audit) parts.push(`audit: auditEntries(tenant:$t, first:500){ nodes{ time actor action target outcome } }`);
  else parts.push(...readable.map((k, i) => `rv${i}: resources(kind:${JSON.stringify(k)}, tenant:$t, first:50){ nodes{ kind name version updatedBy updatedAt } }`));
  const r = parts.length ? await gqlAll(`query($t:String!){ ${parts.join("\n")} }`, { t: tenant }) : { data: {}, errors: [] };
  const typeNames = new Map(((r.data.types && r.data.types.codes) || []).map(c => [c.code, c.name]));
  const byType = r.data.byType;
  // A module not enabled here answers NOT_FOUND: its parts are left out.
  const shown = r.errors.filter(e => e.code !== "NOT_FOUND" && e.code !== "FORBIDDEN");

  const cards = [];
  if (tenants && r.data.lv_province) {
    cards.push(card("dash-tenants", barChart({ title: t("dashboard.tenants"), labels: levels.map(l => t("level." + l)),
      series: [{ name: t("dashboard.count"), values: levels.map(l => r.data["lv_" + l].totalCount) }], integer: true })));
  }
  if (byType && byType.length) {
    cards.push(card("dash-items", barChart({ title: t("dashboard.items", { n: byType.reduce((a, x) => a + x.count, 0) }), labels: byType.map(x => typeNames.get(x.key) || x.name),
      series: [{ name: t("dashboard.count"), values: byType.map(x => x.count) }], integer: true })));
  }
  if (impls && tn.children.length && r.data.im0) {
    cards.push(card("dash-impls", barChart({ title: t("dashboard.impls"), labels: tn.children.map(c => c.name),
      series: [{ name: t("dashboard.count"), values: tn.children.map((_, i) => r.data["im" + i].totalCount) }], integer: true })));
  }
  if (r.data.rate && r.data.rate.length) {
    const last = r.data.rate.slice(-12);
    cards.push(card("dash-rate", lineChart({ title: t("dashboard.rate"), labels: last.map(x => x.month), series: [{ name: t("dashboard.rateSeries"), values: last.map(x => x.rate) }],
      yMax: 1, format: percent, legend: true }), h("p.muted", h("a", { href: "#/rate/" + tenant }, t("dashboard.rateMore")))));
  }
  cards.push(changes(t, r, audit, readable));

  return h("section.dashboard",
    tenantCrumbs(tn, code => "#/dashboard?tenant=" + code),
    h("h2", t("dashboard.title")),
    shown.map(errorBox),
    h("div.dash-grid", cards.filter(Boolean)));
}

function card(id, ...body) {
  return h("div.card.dash-card", { id }, body);
}

// changes charts what changed per day over the last days: from the audit log when
// the user may read it, else from the resources stored at the tenant they may read.
function changes(t, r, audit, readable) {
  const days = Array.from({ length: DAYS }, (_, i) => new Date(Date.now() - (DAYS - 1 - i) * 864e5).toISOString().slice(0, 10));
  const day = s => new Date(s).toISOString().slice(0, 10);
  let rows, note;
  if (audit && r.data.audit) {
    rows = r.data.audit.nodes.map(e => ({ time: e.time, who: e.actor, what: e.action + (e.target ? " " + e.target : ""), bad: e.outcome !== "ok" }));
    note = t("dashboard.fromAudit");
  } else if (!audit) {
    rows = readable.flatMap((_, i) => (r.data["rv" + i] || { nodes: [] }).nodes).filter(n => n.updatedAt)
      .map(n => ({ time: n.updatedAt, who: n.updatedBy || "", what: `${n.kind}/${n.name} v${n.version}`, bad: false }));
    note = t("dashboard.fromResources");
  } else return null;
  if (!rows.length && !readable.length && !audit) return null;
  rows.sort((a, b) => b.time.localeCompare(a.time));
  const count = bad => days.map(d => rows.filter(x => x.bad === bad && day(x.time) === d).length);
  const series = [{ name: t("dashboard.changesOk"), values: count(false) }];
  if (audit) series.push({ name: t("dashboard.changesRefused"), values: count(true) });
  return card("dash-changes",
    barChart({ title: t("dashboard.changes", { n: DAYS }), labels: days.map(d => d.slice(5)), series, integer: true, legend: true }),
    h("p.muted", note),
    rows.length ? h("table.compact", rows.slice(0, 8).map(x => h("tr", { class: x.bad ? "o-denied" : null }, h("td", fmtTime(x.time, lang)), h("td", x.who), h("td", x.what)))) : h("p.muted", t("dashboard.noChanges")));
}
