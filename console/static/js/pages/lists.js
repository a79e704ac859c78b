// Curated lists (办事不求人 …) that apply at a tenant, and one list: its items in
// force there (and those without an implementation), edited in place by those who
// may write ServiceList where it is defined.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields } from "../catalognav.js";

export async function render(ctx) {
  const { t, gqlAll, params, query } = ctx;
  const r = await gqlAll(`query($t:String!){ tenant(code:$t){ ${tenantFields} }
      serviceLists(tenant:$t){ tenant name title batch publishedAt size missing
        ${params.name ? "entries{ code name tenant implementingBody online }" : ""} } }`, { t: params.tenant });
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: params.tenant }));
  const lists = r.data.serviceLists || [];
  const [mayCreate] = await ctx.can(tn.code, [["ServiceList", "write"]]);
  if (!params.name) {
    const form = h("form.toolbar#new-list",
      h("label", t("catalog.lists.newName"), " ", h("input", { name: "name", required: true, pattern: "[a-z0-9][a-z0-9-]*", size: 20, placeholder: "yijianshi-1" })),
      h("button", { type: "submit" }, t("catalog.lists.create")));
    form.addEventListener("submit", ev => { ev.preventDefault(); location.hash = `#/lists/${tn.code}/${new FormData(form).get("name")}?new=1`; });
    return h("section.lists",
      await header(ctx, tn, "lists", t("catalog.lists.title")),
      r.errors.map(errorBox),
      lists.length ? h("table#service-lists",
        h("tr", ["title", "batch", "publishedAt", "size", "missing", "at"].map(k => h("th", t("catalog.lists.col." + k)))),
        lists.map(l => h("tr", { dataset: { name: l.name } },
          h("td", h("a", { href: `#/lists/${tn.code}/${l.name}` }, l.title)), h("td", String(l.batch)), h("td", l.publishedAt || ""),
          h("td", String(l.size)), h("td", { class: l.missing.length ? "warn" : null }, String(l.missing.length)), h("td", l.tenant)))) : h("p.muted", t("catalog.lists.none")),
      mayCreate !== false ? form : null);
  }
  return one(ctx, tn, lists.find(l => l.name === params.name), query.get("new") === "1", head => r.errors.map(errorBox).concat(head));
}

async function one(ctx, tn, view, isNew, withErrors) {
  const { t, gql, gqlAll, params } = ctx;
  const at = view ? view.tenant : tn.code;
  const d = await gqlAll(`query($t:String!,$n:String!){ list: resource(kind:"ServiceList", tenant:$t, name:$n){ version spec } }`, { t: at, n: params.name });
  const res = d.data.list;
  const head = await header(ctx, tn, "lists", view ? view.title : isNew ? t("catalog.lists.new") : params.name);
  if (!res && !isNew) return h("section.list", withErrors(head), d.errors.map(errorBox), h("p.warn", t("catalog.lists.notFound", { name: params.name })));
  const spec = res ? res.spec : { title: "", batch: 1, items: [] };
  const entries = new Map(((view || {}).entries || []).map(e => [e.code, e]));
  const [mayWrite, mayDelete] = await ctx.can(at, [["ServiceList", "write"], ["ServiceList", "delete"]]);
  const items = [...(spec.items || [])];
  const names = new Map([...entries].map(([c, e]) => [c, e.name]));
  // Items without an implementation here are named from the basic catalog.
  const unnamed = items.filter(c => !names.has(c)).slice(0, 100);
  if (unnamed.length) {
    const n = await gqlAll(`query($t:String!){ ${unnamed.map((c, i) => `n${i}: serviceItems(tenant:$t, search:${JSON.stringify(c)}, first:1){ nodes{ code name } }`).join(" ")} }`, { t: at });
    unnamed.forEach((_, i) => (n.data["n" + i] ? n.data["n" + i].nodes : []).forEach(x => names.set(x.code, x.name)));
  }
  const table = h("div#list-items");
  const status = h("div#list-status");
  const heading = h("h3#list-count");
  const showItems = () => {
    heading.textContent = t("catalog.lists.items", { n: items.length });
    table.replaceChildren(items.length ? h("table#list-entries",
    h("tr", h("th", "#"), h("th", t("catalog.code")), h("th", t("catalog.name")), h("th", t("catalog.lists.inForce")), mayWrite !== false ? h("th", "") : null),
    items.map((code, i) => {
      const e = entries.get(code);
      return h("tr", { dataset: { code } }, h("td", String(i + 1)), h("td.mono", code),
        h("td", e ? h("a", { href: `#/implementations/${tn.code}/${code}` }, e.name) : names.get(code) || ""),
        h("td", e ? [e.implementingBody, e.online ? h("span.badge.online", t("catalog.online")) : null] : h("span.warn", t("catalog.lists.missingHere"))),
        mayWrite !== false ? h("td", h("button.chip-x", { type: "button", "aria-label": t("catalog.dev.remove"), on: { click: () => { items.splice(i, 1); showItems(); } } }, "×")) : null);
    })) : h("p.muted", t("catalog.lists.empty")));
  };
  showItems();
  if (mayWrite === false) return h("section.list", withErrors(head), d.errors.map(errorBox), h("p.muted", t("catalog.lists.meta", { batch: spec.batch, date: spec.publishedAt || "—", at })), heading, table);

  const form = h("form.resource-form#list-form",
    h("div.field", h("label", t("catalog.lists.col.title")), h("input", { name: "title", value: spec.title || "", required: true, size: 40 })),
    h("div.field", h("label", t("catalog.lists.col.batch")), h("input", { name: "batch", type: "number", min: "1", value: String(spec.batch || 1), required: true })),
    h("div.field", h("label", t("catalog.lists.col.publishedAt")), h("input", { name: "publishedAt", type: "date", value: spec.publishedAt || "" })),
    h("div.buttons", h("button#list-save", { type: "submit" }, t("catalog.lists.save")), res ? h("span.muted", "v" + res.version) : null,
      res && mayDelete !== false ? h("button.danger#list-delete", { type: "button", on: { click: remove } }, t("catalog.lists.delete")) : null));
  async function remove() {
    if (!window.confirm(t("catalog.lists.deleteConfirm", { title: spec.title }))) return;
    try {
      await gql("mutation($k:String!,$t:String!,$n:String!){ deleteResource(kind:$k, tenant:$t, name:$n) }", { k: "ServiceList", t: at, n: params.name });
      location.hash = "#/lists/" + tn.code;
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
  }
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const f = new FormData(form);
    const s = { title: f.get("title").trim(), batch: Number(f.get("batch")), items };
    if (f.get("publishedAt")) s.publishedAt = f.get("publishedAt");
    if (spec.description) s.description = spec.description;
    status.replaceChildren();
    try {
      const a = await gql(`mutation($o:[JSON!]){ applyResources(objects:$o){ op resource{ version } } }`,
        { o: [{ apiVersion: "gdbos.io/v1", kind: "ServiceList", metadata: { tenant: at, name: params.name }, spec: s }] });
      status.append(h("p.ok", t("catalog.lists.saved", { op: a.applyResources[0].op, v: a.applyResources[0].resource.version })));
      if (isNew) location.hash = `#/lists/${tn.code}/${params.name}`;
    } catch (e) {
      status.append(errorBox(e), e.fields && e.fields.length ? h("ul.field-errors", e.fields.map(x => h("li", h("code", x.path), " ", x.message))) : null);
    }
  });
  const found = h("ul.results#list-found");
  const search = h("form.toolbar#list-add",
    h("label", t("catalog.lists.add"), " ", h("input", { name: "q", size: 20, placeholder: t("catalog.searchHint") })),
    h("button", { type: "submit" }, t("catalog.find")));
  search.addEventListener("submit", async ev => {
    ev.preventDefault();
    let r;
    try {
      r = await gqlAll(`query($t:String!,$s:String){ serviceItems(tenant:$t, search:$s, first:10){ nodes{ code name } } }`, { t: at, s: new FormData(search).get("q").trim() });
    } catch (e) {
      r = { data: {}, errors: [e] };
    }
    found.replaceChildren(...r.errors.map(errorBox), ...(r.data.serviceItems ? r.data.serviceItems.nodes : []).map(i => h("li",
      h("button", { type: "button", disabled: items.includes(i.code), on: { click: ev => { items.push(i.code); names.set(i.code, i.name); ev.target.disabled = true; showItems(); } } }, "+"),
      " ", i.name, h("span.code", i.code))));
  });
  return h("section.list", withErrors(head), d.errors.map(errorBox), form, status, heading, search, found, table);
}
