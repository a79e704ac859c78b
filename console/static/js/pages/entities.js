// Entities in force at a tenant: the EntitySchema layers defined at it or above it,
// merged per entity (title, fields, where each layer is), with links to the
// designer, the records and the import.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { entityLayers } from "../data.js";

export async function render(ctx) {
  const { t, gqlAll, query } = ctx;
  const tenant = query.get("tenant") || (ctx.roots[0] && ctx.roots[0].code) || "";
  const r = await gqlAll("query($t:String!){ tenant(code:$t){ code name ancestors{ code } } }", { t: tenant });
  if (!r.data.tenant) throw r.errors[0] || new Error(t("tenant.notfound", { code: tenant }));
  const path = [...r.data.tenant.ancestors.map(a => a.code), tenant];
  const { layers, errors } = await entityLayers(gqlAll, path);
  const [mayWrite, mayRead] = await ctx.can(tenant, [["EntitySchema", "write"], ["EntitySchema", "read"]]);
  const byName = new Map();
  for (const l of layers) {
    if (!byName.has(l.name)) byName.set(l.name, { name: l.name, title: "", fields: 0, relations: 0, layers: [] });
    const e = byName.get(l.name);
    e.title ||= l.spec.title || "";
    e.fields += (l.spec.fields || []).length;
    e.relations += (l.spec.relations || []).length;
    e.layers.push(l.tenant);
  }
  const entities = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return h("section",
    h("h2", t("data.entities.title"), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, r.data.tenant.name), h("span.code", tenant)),
    h("form#entities-tenant.inline", { on: { submit: ev => { ev.preventDefault(); location.hash = "#/entities?tenant=" + encodeURIComponent(ev.target.tenant.value.trim()); } } },
      h("label", t("data.tenant"), " ", h("input", { name: "tenant", value: tenant, size: 8 })), h("button", { type: "submit" }, t("data.show"))),
    [...r.errors, ...errors].map(errorBox),
    mayWrite !== false ? h("p", h("a.button#new-entity", { href: "#/new-entity/" + tenant }, t("data.entities.new"))) : null,
    entities.length ? h("table#entities",
      h("tr", h("th", t("data.entity")), h("th", t("data.title")), h("th", t("data.fields")), h("th", t("data.relations")), h("th", t("data.layers")), h("th", "")),
      entities.map(e => h("tr", { dataset: { entity: e.name } },
        h("td", h("a", { href: `#/entities/${tenant}/${e.name}` }, e.name)),
        h("td", e.title), h("td", String(e.fields)), h("td", String(e.relations)),
        h("td", e.layers.map((l, i) => [i ? " → " : "", h("a", { href: `#/r/EntitySchema/${l}/${e.name}` }, l)])),
        h("td.actions",
          h("a", { href: `#/records/${tenant}/${e.name}` }, t("data.records")), " ",
          h("a", { href: `#/import/${tenant}/${e.name}` }, t("data.import")), " ",
          h("a", { href: `#/graphiql?tenant=${tenant}&entity=${e.name}` }, "GraphiQL")))))
      : h("p.muted", t(mayRead === false ? "data.entities.noread" : "data.entities.none")));
}
