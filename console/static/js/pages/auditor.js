// The audit administrator's view: whether the hash chain verifies, the log's
// entries by outcome, the latest refusals and failures, and an export of the
// entries a filter selects (CSV or JSON, read page by page through auditEntries).
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";
import { card, refusal } from "./people-common.js";

const outcomes = ["ok", "denied", "failed"];
const maxExport = 20000;

export async function render(ctx) {
  const { t, gqlAll, can } = ctx;
  const roots = ctx.roots.map(r => r.code);
  const answers = await Promise.all(roots.map(c => can(c, [["audit", "read"]])));
  if (!roots.length || answers.some(a => a[0] === false)) {
    return h("section.people", h("h2", t("people.aud.title")), h("p.muted", t("people.aud.notYours")));
  }
  const r = await gqlAll(`{
      auditVerify{ ok checked problems{ id kind message } }
      ${outcomes.map(o => `n_${o}: auditEntries(outcome:"${o}", first:0){ totalCount }`).join(" ")}
      recent: auditEntries(outcome:"denied", first:10){ nodes{ id time actor action tenant target outcome detail } }
      failed: auditEntries(outcome:"failed", first:10){ nodes{ id time actor action tenant target outcome detail } }
    }`);
  const v = r.data.auditVerify;
  const rows = list => h("table.audit-rows",
    h("tr", ["id", "time", "actor", "action", "tenant", "target"].map(k => h("th", t("audit." + k)))),
    list.map(e => h("tr", { class: "o-" + e.outcome, title: e.detail ? JSON.stringify(e.detail) : "" },
      h("td", e.id), h("td", fmtTime(e.time, lang)), h("td", e.actor), h("td", e.action), h("td", e.tenant || ""), h("td", e.target || ""))));
  return h("section.people.auditor",
    h("h2", t("people.aud.title")),
    r.errors.map(errorBox),
    v ? h("div#chain-status", { class: "chain " + (v.ok ? "ok" : "error") },
      h("strong", v.ok ? t("audit.verified", { n: v.checked }) : t("audit.broken", { n: v.problems.length })),
      v.problems.length ? h("ul", v.problems.slice(0, 20).map(p => h("li", "#" + p.id + " " + p.kind + ": " + p.message))) : null) : null,
    h("table#outcomes.outcomes", h("tr", outcomes.map(o => h("th", t("people.aud.outcome." + o)))),
      h("tr", outcomes.map(o => h("td", h("a", { href: "#/audit?outcome=" + o }, r.data["n_" + o] ? String(r.data["n_" + o].totalCount) : "—"))))),
    h("div.grid",
      card(t("people.aud.denied"), r.data.recent ? rows(r.data.recent.nodes) : null),
      card(t("people.aud.failed"), r.data.failed && r.data.failed.nodes.length ? rows(r.data.failed.nodes) : h("p.muted", t("people.aud.noFailed")))),
    exportCard(ctx),
    h("p", h("a.button", { href: "#/audit" }, t("people.aud.fullLog"))));
}

function exportCard({ t, gql }) {
  const st = h("div.status", { role: "status" });
  const form = h("form#audit-export.toolbar",
    ["tenant", "actor", "action"].map(k => h("label", t("audit." + k), " ", h("input", { name: k, size: 10 }))),
    h("label", t("audit.outcome"), " ", h("select", { name: "outcome" }, ["", ...outcomes].map(o => h("option", { value: o }, o || t("audit.any"))))),
    h("label", t("people.aud.format"), " ", h("select", { name: "format" }, h("option", { value: "csv" }, "CSV"), h("option", { value: "json" }, "JSON"))),
    h("button", { type: "submit" }, t("people.aud.export")));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    st.replaceChildren(t("people.aud.exporting"));
    const f = Object.fromEntries([...new FormData(form)]);
    const vars = { tenant: f.tenant || null, actor: f.actor || null, action: f.action || null, outcome: f.outcome || null };
    const all = [];
    try {
      let after = null;
      do {
        const d = await gql(`query($tenant:String,$actor:String,$action:String,$outcome:String,$after:String){
            auditEntries(tenant:$tenant, actor:$actor, action:$action, outcome:$outcome, first:500, after:$after){
              pageInfo{ hasNextPage endCursor } nodes{ id time actor action tenant target outcome detail } } }`, { ...vars, after });
        all.push(...d.auditEntries.nodes);
        after = d.auditEntries.pageInfo.hasNextPage ? d.auditEntries.pageInfo.endCursor : null;
      } while (after && all.length < maxExport);
    } catch (e) { st.replaceChildren(refusal(e)); return; }
    const body = f.format === "json" ? JSON.stringify(all, null, 1) : toCSV(all);
    const url = URL.createObjectURL(new Blob([body], { type: f.format === "json" ? "application/json" : "text/csv" }));
    const name = "audit-" + new Date().toISOString().slice(0, 19).replace(/:/g, "") + "." + f.format;
    const a = h("a#audit-download", { href: url, download: name }, name);
    st.replaceChildren(h("p.ok", t("people.aud.exported", { n: all.length }), " ", a));
    a.click();
  });
  return card(t("people.aud.exportTitle"), form, st);
}

const columns = ["id", "time", "actor", "action", "tenant", "target", "outcome", "detail"];

function toCSV(list) {
  const cell = v => {
    const s = v == null ? "" : typeof v === "string" ? v : JSON.stringify(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return "\uFEFF" + [columns.join(","), ...list.map(e => columns.map(c => cell(e[c])).join(","))].join("\r\n") + "\r\n";
}
