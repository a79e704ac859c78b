// The audit log with filters, and whether its hash chain verifies.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";

export async function render({ t, gqlAll, query }) {
  const f = { tenant: query.get("tenant") || "", actor: query.get("actor") || "", action: query.get("action") || "", outcome: query.get("outcome") || "" };
  const after = query.get("after") || null;
  const vars = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v || null]));
  const r = await gqlAll(`query($tenant:String,$actor:String,$action:String,$outcome:String,$after:String){
      auditEntries(tenant:$tenant, actor:$actor, action:$action, outcome:$outcome, first:50, after:$after){
        totalCount pageInfo{ hasNextPage endCursor } nodes{ id time actor action tenant target outcome detail } }
      auditVerify{ ok checked problems{ id kind message } } }`, { ...vars, after });
  const form = h("form#audit-filter.toolbar",
    ["tenant", "actor", "action"].map(k => h("label", t("audit." + k), " ", h("input", { name: k, value: f[k], size: 12 }))),
    h("label", t("audit.outcome"), " ", h("select", { name: "outcome" }, ["", "ok", "denied", "failed"].map(o => h("option", { value: o, selected: o === f.outcome }, o || t("audit.any"))))),
    h("button", { type: "submit" }, t("audit.filter")));
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const p = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
    location.hash = "#/audit?" + p;
  });
  const v = r.data.auditVerify;
  const e = r.data.auditEntries;
  return h("section",
    h("h2", t("audit.title")),
    v ? h("p#audit-verify", { class: v.ok ? "ok" : "error" }, v.ok ? t("audit.verified", { n: v.checked }) : t("audit.broken", { n: v.problems.length }),
      v.problems.length ? h("ul", v.problems.map(p => h("li", "#" + p.id + " " + p.kind + ": " + p.message))) : null) : null,
    form,
    r.errors.map(errorBox),
    e ? h("p.muted", t("audit.count", { n: e.totalCount })) : null,
    e ? h("table#audit",
      h("tr", ["id", "time", "actor", "action", "tenant", "target", "outcome"].map(k => h("th", t("audit." + k)))),
      e.nodes.map(x => h("tr", { class: "o-" + x.outcome, title: x.detail ? JSON.stringify(x.detail) : "" },
        h("td", x.id), h("td", fmtTime(x.time, lang)), h("td", x.actor), h("td", x.action), h("td", x.tenant || ""), h("td", x.target || ""), h("td", x.outcome)))) : null,
    e && e.pageInfo.hasNextPage ? h("a.button", { href: "#/audit?" + new URLSearchParams({ ...Object.fromEntries(Object.entries(f).filter(([, v]) => v)), after: e.pageInfo.endCursor }) }, t("audit.more")) : null);
}
