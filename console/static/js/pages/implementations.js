// A tenant's implementation list (实施清单): the implementations in force there (per
// item, the nearest tier's), or those stored at it and below; filters on type,
// category, department and 不见面; full-text search (Chinese too) over names,
// conditions and materials.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields, defaultTenant, pager, filterForm, typeFilter, may } from "../catalognav.js";

export async function render(ctx) {
  const { t, gqlAll, query } = ctx;
  const tenant = ctx.params.tenant || defaultTenant(ctx);
  const keys = ["q", "type", "category", "department", "scope", "online"];
  const f = Object.fromEntries(keys.map(k => [k, query.get(k) || ""]));
  const [mayTypes] = await may(ctx, tenant, [["CodeTable", "read"]]);
  const vars = { t: tenant, ty: f.type || null, c: f.category || null, d: f.department || null, o: f.online === "1", a: query.get("after") };
  const filters = "tenant:$t, type:$ty, category:$c, department:$d, onlineOnly:$o, first:50, after:$a";
  const list = f.q ? `searchImplementations(query:$q, ${filters})`
    : f.scope === "stored" ? `serviceImplementations(subtree:true, ${filters})` : `effectiveImplementations(${filters})`;
  const r = await gqlAll(`query($t:String!,$ty:String,$c:String,$d:String,$o:Boolean,$a:String${f.q ? ",$q:String!" : ""}){
      tenant(code:$t){ ${tenantFields} }
      ${mayTypes ? `types: codeTable(tenant:$t, name:"item-types"){ codes{ code name } }` : ""}
      list: ${list}{ totalCount pageInfo{ hasNextPage endCursor }
        nodes{ tenant code name type implementingBody status online processing promisedDays visits } } }`, f.q ? { ...vars, q: f.q } : vars);
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: tenant }));
  const l = r.data.list;
  const types = r.data.types ? r.data.types.codes : [];
  const base = "#/implementations/" + tenant;
  const names = new Map([...tn.ancestors, tn, ...tn.children].map(x => [x.code, x.name]));
  const input = (k, size) => h("label", t("catalog.f." + k), " ", h("input", { name: k, value: f[k], size }));
  return h("section.implementations",
    await header(ctx, tn, "implementations", t("catalog.impl.title")),
    filterForm("impl-filter", base, [
      h("label", t("catalog.fulltext"), " ", h("input#impl-search", { name: "q", value: f.q, size: 18, placeholder: t("catalog.fulltextHint") })),
      typeFilter(t, types, f.type),
      input("category", 12), input("department", 10),
      h("label", h("input", { type: "checkbox", name: "online", value: "1", checked: f.online === "1" }), " ", t("catalog.f.online")),
      f.q ? null : h("label", t("catalog.f.scope"), " ", h("select", { name: "scope" },
        h("option", { value: "" }, t("catalog.scope.effective")), h("option", { value: "stored", selected: f.scope === "stored" }, t("catalog.scope.stored")))),
    ], t("catalog.find")),
    r.errors.map(errorBox),
    l ? h("p.muted#impl-count", t(f.q ? "catalog.impl.found" : "catalog.impl.count", { n: l.totalCount })) : null,
    l ? (l.nodes.length ? h("table#impl-list",
      h("tr", ["code", "name", "body", "at", "processing", "channel", "status"].map(k => h("th", t("catalog.impl.col." + k)))),
      l.nodes.map(i => h("tr", { dataset: { code: i.code, tenant: i.tenant }, class: i.status === "retired" ? "retired" : null },
        h("td.mono", i.code),
        h("td", h("a", { href: `#/implementations/${i.tenant}/${i.code}` }, i.name)),
        h("td", i.implementingBody), h("td", names.get(i.tenant) || i.tenant),
        h("td", t("catalog.processing." + i.processing), i.processing === "promised" ? h("span.muted", t("catalog.days", { n: i.promisedDays })) : null),
        h("td", i.online ? h("span.badge.online", t("catalog.online")) : t("catalog.visits", { n: i.visits })),
        h("td", t("catalog.status." + i.status))))) : h("p.muted", t("catalog.none"))) : null,
    l ? pager(t, base, query, l.pageInfo) : null);
}
