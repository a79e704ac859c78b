// Data standards at a tenant: the data elements in force there (dataElements:
// shipped ones and DataElement resources at it or above, layered), the CodeTable
// resources that apply there, each linking to its resource page, and the code
// tables GDBOS ships, read through codeTable.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";

const shipped = ["divisions", "item-types", "evaluation-levels", "industries"];

// rules says a data element's validators in words.
function rules(t, s) {
  const out = [];
  if (s.format) out.push(t("std.rule.format", { v: s.format }));
  if (s.pattern) out.push(t("std.rule.pattern", { v: s.pattern }));
  if (s.minLength != null && s.minLength === s.maxLength) out.push(t("std.rule.lengthExact", { v: s.minLength }));
  else if (s.minLength != null || s.maxLength != null) out.push(t("std.rule.length", { min: s.minLength ?? 0, max: s.maxLength ?? "∞" }));
  if (s.minimum != null || s.maximum != null) out.push(t("std.rule.range", { min: s.minimum ?? "−∞", max: s.maximum ?? "∞" }));
  if (s.scale != null) out.push(t("std.rule.scale", { v: s.scale }));
  if (s.enum) out.push(t("std.rule.enum", { v: s.enum.join(", ") }));
  if (s.codeTable) out.push(t("std.rule.codeTable", { v: s.codeTable }));
  if (s.divisionLevel) out.push(t("std.rule.level", { v: s.divisionLevel }));
  return out.join("; ");
}

export async function render(ctx) {
  const { t, gqlAll, query } = ctx;
  const tenant = query.get("tenant") || (ctx.roots[0] && ctx.roots[0].code) || "";
  const r = await gqlAll(`query($t:String!){
      tenant(code:$t){ code name ancestors{ code } }
      dataElements(tenant:$t){ name tenant spec }
      ${shipped.map((n, i) => `c${i}: codeTable(tenant:$t, name:"${n}", all:true){ name title version count }`).join("\n")}
    }`, { t: tenant });
  const d = r.data || {};
  if (!d.tenant) throw new Error(t("tenant.notfound", { code: tenant }));
  const path = [...d.tenant.ancestors.map(a => a.code), tenant];
  const res = await gqlAll(`query{
      ${path.map((c, i) => `t${i}: resources(kind:"CodeTable", tenant:"${c}", first:500){ nodes{ tenant name spec } }`).join("\n")}
    }`);
  const nodes = p => path.flatMap((_, i) => ((res.data || {})[p + i] || { nodes: [] }).nodes);
  const elements = d.dataElements || [], tables = nodes("t");
  const tableRows = tables.map(n => ({ name: n.name, tenant: n.tenant, title: n.spec.title, version: n.spec.version, count: Object.keys(n.spec.codes || {}).length }));
  shipped.forEach((_, i) => {
    const c = d["c" + i];
    if (c && !tableRows.some(x => x.name === c.name)) tableRows.push({ name: c.name, tenant: null, title: c.title, version: c.version, count: c.count });
  });
  return h("section",
    h("h2", t("std.title"), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, d.tenant.name), h("span.code", tenant)),
    [...r.errors, ...res.errors].map(errorBox),
    h("h3", t("std.elements")),
    elements.length ? h("table#data-elements",
      h("tr", h("th", t("std.code")), h("th", t("std.name")), h("th", t("std.type")), h("th", t("std.rules")), h("th", t("resources.tenant"))),
      elements.map(n => h("tr", { dataset: { name: n.name } },
        h("td", n.tenant ? h("a", { href: `#/r/DataElement/${n.tenant}/${n.name}` }, n.spec.code || n.name) : n.spec.code || n.name),
        h("td", n.spec.name || "", h("span.code", n.name)), h("td", n.spec.type || ""), h("td", rules(t, n.spec)), h("td", n.tenant || t("std.shipped"))))) : h("p.muted", t("std.noElements")),
    h("h3", t("std.tables")),
    h("table#code-tables",
      h("tr", h("th", t("std.name")), h("th", t("std.tableTitle")), h("th", t("resources.version")), h("th", t("std.count")), h("th", t("resources.tenant"))),
      tableRows.map(n => h("tr",
        h("td", n.tenant ? h("a", { href: `#/r/CodeTable/${n.tenant}/${n.name}` }, n.name) : n.name),
        h("td", n.title || ""), h("td", n.version || ""), h("td", String(n.count)), h("td", n.tenant || t("std.shipped"))))));
}
