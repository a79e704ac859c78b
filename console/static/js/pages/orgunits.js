// A tenant's org units as a tree: create, rename, and move a unit under another
// (never under itself or one of its own units).
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { tenantCode, tenantBar, refusal } from "./people-common.js";

export async function render(ctx) {
  const { t, gql, gqlAll, can } = ctx;
  const code = tenantCode(ctx);
  const [bar, [mayRead, mayWrite]] = await Promise.all([tenantBar(ctx, code, "orgunits"), can(code, [["orgunits", "read"], ["orgunits", "write"]])]);
  if (mayRead === false) return h("section.people", bar.el, h("h2", t("people.units.title")), h("p.muted", t("people.units.notYours")));
  const r = await gqlAll(`query($t:String!){ orgUnits(tenant:$t, first:500){ totalCount nodes{ code name kind parent } } }`, { t: code });
  const units = r.data.orgUnits ? r.data.orgUnits.nodes : [];
  const children = new Map();
  for (const u of units) {
    const p = u.parent || "";
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(u);
  }
  // below lists a unit and every unit under it: where it may not move.
  const below = c => [c, ...(children.get(c) || []).flatMap(x => below(x.code))];

  const node = u => h("li", { dataset: { unit: u.code } },
    h("span.unit-name", u.name), h("span.code", u.code), h("span.muted", " " + t("people.kind." + u.kind)),
    mayWrite !== false ? editor(u) : null,
    children.has(u.code) ? h("ul", children.get(u.code).map(node)) : null);

  function editor(u) {
    const st = h("span.status", { role: "status" });
    const banned = new Set(below(u.code));
    const form = h("form.unit-edit.inline",
      h("input", { name: "name", value: u.name, size: 12, "aria-label": t("people.unit.name") }),
      h("select", { name: "parent", "aria-label": t("people.unit.parent") },
        h("option", { value: "", selected: !u.parent }, t("people.unit.top")),
        units.filter(x => !banned.has(x.code)).map(x => h("option", { value: x.code, selected: x.code === u.parent }, x.name))),
      h("button", { type: "submit" }, t("people.save")), st);
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      st.replaceChildren();
      const f = new FormData(form);
      try {
        await gql(`mutation($t:String!,$c:String!,$n:String,$p:String){ updateOrgUnit(tenant:$t, code:$c, name:$n, parent:$p){ code } }`,
          { t: code, c: u.code, n: f.get("name"), p: f.get("parent") });
        window.dispatchEvent(new HashChangeEvent("hashchange"));
      } catch (e) { st.append(refusal(e)); }
    });
    return form;
  }

  return h("section.people",
    bar.el,
    h("h2", t("people.units.title")),
    r.errors.map(errorBox),
    r.data.orgUnits ? (units.length ? h("ul#orgunits.unit-tree", (children.get("") || []).map(node)) : h("p.muted", t("people.units.none"))) : null,
    mayWrite !== false && r.data.orgUnits ? createForm(ctx, code, units) : null);
}

function createForm({ t, gql }, code, units) {
  const st = h("div.status", { role: "status" });
  const form = h("form#unit-create.card",
    h("h3", t("people.unit.create")),
    h("div.toolbar",
      h("label", t("people.unit.code"), " ", h("input", { name: "code", required: true, size: 10 })),
      h("label", t("people.unit.name"), " ", h("input", { name: "name", required: true, size: 14 })),
      h("label", t("people.unit.kind"), " ", h("select", { name: "kind" }, ["department", "street", "office"].map(k => h("option", { value: k }, t("people.kind." + k))))),
      h("label", t("people.unit.parent"), " ", h("select", { name: "parent" }, h("option", { value: "" }, t("people.unit.top")), units.map(x => h("option", { value: x.code }, x.name)))),
      h("button", { type: "submit" }, t("people.create"))), st);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    st.replaceChildren();
    const f = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    try {
      await gql(`mutation($i:OrgUnitInput!){ createOrgUnit(input:$i){ code } }`, { i: { tenant: code, ...f } });
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (e) { st.append(refusal(e)); }
  });
  return form;
}
