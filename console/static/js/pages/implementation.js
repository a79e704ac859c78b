// One implementation in force at a tenant: its facts, conditions, materials,
// process and locks (四级四同), where it is stored, and links to its guide as a
// citizen sees it and to its resource (edit, history, inheritance).
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields } from "../catalognav.js";

export async function render(ctx) {
  const { t, gqlAll, params } = ctx;
  const r = await gqlAll(`query($t:String!,$c:String!){
      tenant(code:$t){ ${tenantFields} }
      item: serviceItems(tenant:$t, search:$c, first:1){ nodes{ code name tenant typeName } }
      impl: serviceImplementation(tenant:$t, code:$c){ tenant code implementationCode name type category department
        implementingBody status visits online statutoryDays promisedDays processing spec locks } }`, { t: params.tenant, c: params.code });
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: params.tenant }));
  const im = r.data.impl;
  const item = r.data.item && r.data.item.nodes.find(i => i.code === params.code);
  const head = await header(ctx, tn, "implementations", (im || item || { name: params.code }).name);
  if (!im) {
    return h("section.implementation", head, r.errors.map(errorBox),
      h("p.warn#impl-none", t("catalog.impl.none", { code: params.code, tenant: tn.name })),
      item ? h("p", h("a", { href: `#/r/ServiceItem/${item.tenant}/${item.code}` }, t("catalog.impl.item"))) : null);
  }
  const s = im.spec || {};
  const [mayWrite, mayDevolve] = await ctx.can(im.tenant, [["ServiceImplementation", "write"], ["catalog", "write"]]);
  // Devolving starts where the implementation is stored, for items with tenants below.
  const row = (k, v) => h("tr", h("th", t("catalog.impl.f." + k)), h("td", v));
  const list = (xs, fn) => xs && xs.length ? h("ol", xs.map(x => h("li", fn(x)))) : h("p.muted", t("catalog.impl.nothing"));
  return h("section.implementation",
    head,
    r.errors.map(errorBox),
    im.tenant !== tn.code ? h("p.muted#impl-from", t("catalog.impl.storedAt", { tenant: im.tenant })) : null,
    h("div.toolbar",
      h("a.button#open-guide", { href: `#/guide/${tn.code}/${im.code}` }, t("catalog.impl.guide")),
      h("a.button", { href: `#/r/ServiceImplementation/${im.tenant}/${im.code}` }, t(mayWrite !== false ? "catalog.impl.edit" : "catalog.impl.view")),
      h("a.button", { href: `#/r/ServiceImplementation/${im.tenant}/${im.code}?tab=history` }, t("catalog.impl.history")),
      im.tenant === tn.code && im.status === "active" && tn.children.length && mayDevolve !== false
        ? h("a.button#impl-devolve", { href: `#/devolve/${tn.code}?` + new URLSearchParams({ codes: im.code, category: im.category }) }, t("catalog.impl.devolve")) : null),
    h("div.grid",
      h("div.card", h("h3", t("catalog.impl.basics")), h("table#impl-facts",
        row("code", h("span.mono", im.code)), row("implementationCode", h("span.mono", im.implementationCode)),
        row("type", (item && item.typeName) || im.type), row("category", im.category),
        row("body", im.implementingBody), row("department", im.department),
        row("status", t("catalog.status." + im.status)),
        row("processing", t("catalog.processing." + im.processing)),
        row("days", t("catalog.impl.daysPair", { s: im.statutoryDays, p: im.promisedDays })),
        row("visits", im.online ? t("catalog.online") : t("catalog.visits", { n: im.visits })),
        row("place", s.place || "—"), row("hours", s.hours || "—"),
        row("onlineURL", s.onlineURL ? h("a", { href: s.onlineURL, rel: "noopener", target: "_blank" }, s.onlineURL) : "—"))),
      h("div.card", h("h3", t("catalog.impl.conditions")), list(s.conditions, c => c),
        h("h3", t("catalog.impl.materials")), list(s.materials, m => [m.name, m.required === false ? h("span.muted", t("catalog.impl.optional")) : null]),
        h("h3", t("catalog.impl.process")), list(s.process, p => [h("strong", p.step), p.description ? " " + p.description : ""]),
        h("h3", t("catalog.impl.locks")), im.locks.length ? h("ul#impl-locks", im.locks.map(l => {
          const [path, by] = l.split(" by ");
          return h("li", h("code", path), h("span.badge.locked", t("catalog.impl.lockedBy", { tenant: by })));
        })) : h("p.muted", t("catalog.impl.nothing")))));
}
