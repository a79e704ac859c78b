// Devolutions handed down from a tenant (the journal), and one devolution's report:
// what moved to which tenants, what was refused and why, and undo.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";
import { header, tenantFields } from "../catalognav.js";
import { refusedTable } from "./devolve.js";

const fields = "id tenant actor status createdAt undoneAt codes targets created updated retired restored report items{ code name } refused{ code name path reason }";

export async function render(ctx) {
  const { t, gqlAll, params } = ctx;
  const one = params.id !== undefined;
  const r = await gqlAll(`query($t:String!${one ? ",$id:ID!" : ""}){ tenant(code:$t){ ${tenantFields} }
      ${one ? `devolution(id:$id){ ${fields} }` : `devolutions(tenant:$t, first:50){ id actor status createdAt undoneAt codes targets created retired refused{ code } }`} }`,
  one ? { t: params.tenant, id: params.id } : { t: params.tenant });
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: params.tenant }));
  const [mayWrite] = await ctx.can(tn.code, [["catalog", "write"]]);
  if (!one) {
    const list = r.data.devolutions;
    return h("section.devolutions",
      await header(ctx, tn, "devolutions", t("catalog.devs.title")),
      r.errors.map(errorBox),
      list ? (list.length ? h("table#dev-journal",
        h("tr", ["id", "time", "actor", "status", "items", "targets", "refused"].map(k => h("th", t("catalog.devs.col." + k)))),
        list.map(d => h("tr", { dataset: { id: d.id } },
          h("td", h("a", { href: `#/devolutions/${tn.code}/${d.id}` }, "#" + d.id)), h("td", fmtTime(d.createdAt, lang)), h("td", d.actor),
          h("td", h("span", { class: "badge st-" + d.status }, t("catalog.devs.status." + d.status))),
          h("td", String(d.codes.length)), h("td", d.targets.join("、")), h("td", String(d.refused.length))))) : h("p.muted", t("catalog.devs.none"))) : null);
  }
  const d = r.data.devolution;
  const head = await header(ctx, tn, "devolutions", t("catalog.devs.report", { id: params.id }));
  if (!d) return h("section.devolution", head, r.errors.map(errorBox), h("p.warn", t("catalog.devs.notFound", { id: params.id })));
  const names = new Map(tn.children.map(c => [c.code, c.name]));
  const per = (d.report && d.report.perTarget) || {};
  const out = h("div#undo-result");
  const undo = async ev => {
    if (!window.confirm(t("catalog.devs.undoConfirm", { id: d.id }))) return;
    ev.target.disabled = true;
    let u;
    try {
      u = await gqlAll(`mutation($id:ID!){ undoDevolution(id:$id){ status restored } }`, { id: d.id });
    } catch (e) {
      u = { errors: [e] };
    }
    if (u.errors.length) {
      ev.target.disabled = false;
      out.replaceChildren(...u.errors.map(errorBox));
      return;
    }
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  };
  return h("section.devolution",
    head,
    r.errors.map(errorBox),
    h("p#dev-status", h("span", { class: "badge st-" + d.status }, t("catalog.devs.status." + d.status)), " ",
      t("catalog.devs.by", { actor: d.actor, time: fmtTime(d.createdAt, lang) }),
      d.undoneAt ? h("span.muted", t("catalog.devs.undoneAt", { time: fmtTime(d.undoneAt, lang), n: d.restored })) : null),
    d.report && d.report.error ? h("p.error", d.report.error) : null,
    h("div.grid",
      h("div.card", h("h3", t("catalog.devs.counts")), h("table#dev-counts",
        h("tr", h("th", t("catalog.devs.created")), h("td", String(d.created))),
        h("tr", h("th", t("catalog.devs.updated")), h("td", String(d.updated))),
        h("tr", h("th", t("catalog.devs.retired")), h("td", String(d.retired))),
        h("tr", h("th", t("catalog.devs.refusedN")), h("td", String(d.refused.length))))),
      h("div.card", h("h3", t("catalog.devs.perTarget")), h("table#dev-per-target",
        d.targets.map(code => h("tr", h("td", h("a", { href: `#/implementations/${code}` }, names.get(code) || code), h("span.code", code)), h("td", String(per[code] || 0))))))),
    h("h3", t("catalog.devs.moved")),
    h("table#dev-moved", h("tr", h("th", t("catalog.code")), h("th", t("catalog.name")), h("th", t("catalog.devs.nowAt"))),
      d.items.map(i => h("tr", { dataset: { code: i.code } }, h("td.mono", i.code),
        h("td", h("a", { href: `#/implementations/${tn.code}/${i.code}` }, i.name || i.code)),
        h("td", d.targets.map((c, k) => [k ? "、" : "", h("a", { href: `#/implementations/${c}/${i.code}` }, names.get(c) || c)]))))),
    d.refused.length ? [h("h3", t("catalog.devs.refused")), refusedTable(t, d.refused)] : null,
    d.status === "done" && mayWrite !== false ? h("div.buttons", h("button.danger#dev-undo", { type: "button", on: { click: undo } }, t("catalog.devs.undo"))) : null,
    out);
}
