// The resources of one kind at a tenant (optionally its whole subtree), and for
// inheritable kinds the ones defined above it that apply here.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";

export async function render(ctx) {
  const { t, gql, gqlAll, params, query } = ctx;
  const { kind, tenant } = params;
  const subtree = query.get("subtree") === "1";
  const d = await gql(`query($t:String!){ tenant(code:$t){ code name ancestors{ code name } } kinds{ name inheritable } }`, { t: tenant });
  if (!d.tenant) throw new Error(t("tenant.notfound", { code: tenant }));
  const k = d.kinds.find(x => x.name === kind);
  if (!k) throw new Error(t("resources.nokind", { kind }));
  const above = k.inheritable ? d.tenant.ancestors : [];
  const r = await gqlAll(`query($k:String!,$t:String!,$s:Boolean){
      here: resources(kind:$k, tenant:$t, subtree:$s, first:500){ totalCount nodes{ tenant name version updatedBy updatedAt locks } }
      ${above.map((a, i) => `a${i}: resources(kind:$k, tenant:"${a.code}", first:500){ nodes{ tenant name locks } }`).join("\n")}
    }`, { k: kind, t: tenant, s: subtree });
  const [mayWrite] = await ctx.can(tenant, [[kind, "write"]]);
  const here = r.data.here;
  const inherited = above.flatMap((_, i) => (r.data["a" + i] || { nodes: [] }).nodes);
  const sub = h("label", h("input#subtree", { type: "checkbox", checked: subtree, on: { change: ev => { location.hash = `#/resources/${kind}/${tenant}${ev.target.checked ? "?subtree=1" : ""}`; } } }), " ", t("resources.subtree"));
  return h("section",
    h("nav.crumbs", h("a", { href: "#/resources?tenant=" + tenant }, t("resources.kinds")), " / ", kind),
    h("h2", t("resources.list", { kind }), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, d.tenant.name), h("span.code", tenant)),
    h("div.toolbar", sub, mayWrite !== false ? h("a.button#new-resource", { href: `#/new/${kind}/${tenant}` }, t("resources.new")) : null),
    r.errors.map(errorBox),
    here ? h("table#resources",
      h("tr", h("th", t("resources.name")), h("th", t("resources.tenant")), h("th", t("resources.version")), h("th", t("audit.actor")), h("th", t("audit.time")), h("th", t("resources.locks"))),
      here.nodes.map(n => h("tr",
        h("td", h("a", { href: `#/r/${kind}/${n.tenant}/${n.name}` }, n.name)), h("td", n.tenant), h("td", "v" + n.version),
        h("td", n.updatedBy || ""), h("td", fmtTime(n.updatedAt, lang)), h("td", n.locks.join(", "))))) : null,
    here && !here.nodes.length ? h("p.muted", t("resources.none")) : null,
    inherited.length ? h("div",
      h("h3", t("resources.inheritedHere")),
      h("table#inherited", inherited.map(n => h("tr",
        h("td", h("a", { href: `#/r/${kind}/${tenant}/${n.name}?tab=inheritance` }, n.name)),
        h("td", t("explain.from", { tenant: n.tenant })), h("td", n.locks.join(", ")))))) : null);
}
