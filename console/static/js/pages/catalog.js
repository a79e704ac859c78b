// The basic catalog (基本目录) in force at a tenant: the items, by 基本编码, with a
// search on names and codes, a type filter and paging; each item links to its
// implementation at the tenant.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields, defaultTenant, pager, filterForm, typeFilter, may } from "../catalognav.js";

export async function render(ctx) {
  const { t, gqlAll, query } = ctx;
  const tenant = ctx.params.tenant || defaultTenant(ctx);
  const f = { search: query.get("search") || "", type: query.get("type") || "" };
  // The item types name the type filter's options, for those who may read code tables.
  const [mayTypes] = await may(ctx, tenant, [["CodeTable", "read"]]);
  const r = await gqlAll(`query($t:String!,$s:String,$ty:String,$a:String){
      tenant(code:$t){ ${tenantFields} }
      ${mayTypes ? `types: codeTable(tenant:$t, name:"item-types"){ codes{ code name } }` : ""}
      serviceItems(tenant:$t, search:$s, type:$ty, first:50, after:$a){ totalCount pageInfo{ hasNextPage endCursor }
        nodes{ code name typeName category level tenant } } }`,
  { t: tenant, s: f.search || null, ty: f.type || null, a: query.get("after") });
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: tenant }));
  const items = r.data.serviceItems;
  const types = r.data.types ? r.data.types.codes : [];
  const base = "#/catalog/" + tenant;
  return h("section.catalog",
    await header(ctx, tn, "catalog", t("catalog.title")),
    filterForm("catalog-filter", base, [
      h("label", t("catalog.search"), " ", h("input#catalog-search", { name: "search", value: f.search, size: 24, placeholder: t("catalog.searchHint") })),
      typeFilter(t, types, f.type),
    ], t("catalog.find")),
    r.errors.map(errorBox),
    items ? h("p.muted#catalog-count", t("catalog.count", { n: items.totalCount })) : null,
    items ? (items.nodes.length ? h("table#catalog-items",
      h("tr", h("th", t("catalog.code")), h("th", t("catalog.name")), h("th", t("catalog.type")), h("th", t("catalog.category")), h("th", t("catalog.definedAt"))),
      items.nodes.map(i => h("tr", { dataset: { code: i.code } },
        h("td.mono", i.code),
        h("td", h("a", { href: `#/implementations/${tenant}/${i.code}` }, i.name)),
        h("td", i.typeName), h("td", i.category), h("td", i.tenant)))) : h("p.muted", t("catalog.none"))) : null,
    items ? pager(t, base, query, items.pageInfo) : null);
}
