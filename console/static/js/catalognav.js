// What the catalog's pages share: the tenant they are at (with its ancestors and
// children, to move up and down the tree) and the tabs between them, offered only
// when the user may use them there.
import { h } from "./dom.js";
import { tenantCrumbs } from "./ui.js";

// tenantFields is the selection a catalog page asks of its tenant, for the header.
export const tenantFields = "code name level ancestors{ code name } children{ code name level }";

const tabs = [
  { page: "catalog", need: ["ServiceItem", "read"] },
  { page: "implementations", need: ["ServiceImplementation", "read"] },
  { page: "devolve", need: ["catalog", "write"] },
  { page: "devolutions", need: ["catalog", "read"] },
  { page: "lists", need: ["ServiceImplementation", "read"] },
  { page: "rate", need: ["catalog", "read"] },
];

// may asks, in one request with the tabs' checks (which header then finds cached),
// whether the user may do extra ([kind, action] pairs) at tenant.
export async function may(ctx, tenant, extra) {
  const ok = await ctx.can(tenant, [...extra, ...tabs.map(x => x.need)]);
  return ok.slice(0, extra.length).map(x => x !== false);
}

// header returns the title, the tenant's place in the tree and the tabs.
export async function header(ctx, tn, active, title) {
  const { t } = ctx;
  const ok = await ctx.can(tn.code, tabs.map(x => x.need));
  return h("div.catalog-head",
    tenantCrumbs(tn, code => "#/" + active + "/" + code),
    h("nav.tabs#catalog-tabs", tabs.filter((x, i) => ok[i] !== false).map(x =>
      h("a", { href: "#/" + x.page + "/" + tn.code, class: x.page === active ? "active" : null }, t("catalog.tab." + x.page)))),
    title ? h("h2", title) : null);
}

// defaultTenant is where a catalog page opens without one: the user's top tenant.
export function defaultTenant(ctx) {
  return ctx.query.get("tenant") || (ctx.roots[0] && ctx.roots[0].code) || "";
}

// pager links to the next page and back to the first, keeping the other parameters.
export function pager(t, base, query, pageInfo) {
  const at = new URLSearchParams(query);
  const links = [];
  if (at.get("after")) {
    at.delete("after");
    links.push(h("a.button#first-page", { href: base + "?" + at }, t("catalog.firstPage")));
  }
  if (pageInfo.hasNextPage) {
    const next = new URLSearchParams(query);
    next.set("after", pageInfo.endCursor);
    links.push(h("a.button#next-page", { href: base + "?" + next }, t("catalog.nextPage")));
  }
  return links.length ? h("div.pager", links) : null;
}

// filterForm is a toolbar form whose fields become the route's query string.
export function filterForm(id, base, fields, submitText) {
  const form = h("form.toolbar", { id }, fields, h("button", { type: "submit" }, submitText));
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) p.set(k, String(v).trim());
    location.hash = base + (p.size ? "?" + p : "");
  });
  return form;
}

// typeFilter is the item-type field of a filter form: a choice among the item-type
// code table's codes, or a two-digit code typed in when the user may not read it.
export function typeFilter(t, types, value) {
  return h("label", t("catalog.type"), " ", types.length ? h("select", { name: "type" }, h("option", { value: "" }, t("catalog.any")),
    types.map(c => h("option", { value: c.code, selected: c.code === value }, c.code + " " + c.name)))
    : h("input", { name: "type", value, size: 4, pattern: "[0-9]{2}" }));
}
