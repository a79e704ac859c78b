// The roles in force at a tenant (defined there or above), their permissions in
// words, and how many bindings grant each here; editing is the resource page's.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { tenantCode, tenantBar, rolesInForce, bindingRoleTenant, permissionWords } from "./people-common.js";

export async function render(ctx) {
  const { t, gqlAll, can } = ctx;
  const code = tenantCode(ctx);
  const [bar, [mayWrite, bindingsRead]] = await Promise.all([tenantBar(ctx, code, "roles"), can(code, [["Role", "write"], ["RoleBinding", "read"]])]);
  const { roles, errors, hidden } = await rolesInForce(ctx, bar.lineage);
  const b = bindingsRead !== false ? await gqlAll(`query($t:String!){ roleBindings(tenant:$t, first:500){ nodes{ tenant name spec } } }`, { t: code }) : { data: {}, errors: [] };
  const here = b.data.roleBindings ? b.data.roleBindings.nodes : null;
  const holders = role => here.filter(x => x.spec.role === role.name && bindingRoleTenant(x, roles, bar.lineage) === role.tenant)
    .flatMap(x => (x.spec.subjects || []).map(s => s.name));
  return h("section.people",
    bar.el,
    h("h2", t("people.roles.title")),
    h("p.toolbar",
      mayWrite !== false ? h("a.button#new-role", { href: "#/new/Role/" + code }, t("people.roles.new")) : null,
      bindingsRead !== false ? h("a", { href: "#/bindings/" + code }, t("people.toMatrix")) : null),
    errors.concat(b.errors).map(errorBox),
    hidden.length ? h("p.muted", t("people.roles.hidden", { tenants: hidden.join(", ") })) : null,
    roles.length ? h("table#roles",
      h("tr", ["name", "definedAt", "description", "permissions", "holders"].map(k => h("th", t("people.role." + k)))),
      roles.slice().reverse().map(r => h("tr", { dataset: { role: r.name } },
        h("td", h("a", { href: `#/r/Role/${r.tenant}/${r.name}` }, r.name),
          r.labels && r.labels["gdbos.io/builtin"] === "true" ? h("span.badge.defined", t("people.role.builtin")) : null),
        h("td.code", r.tenant),
        h("td", r.spec.description || ""),
        h("td", h("ul.perms", (r.spec.permissions || []).map(p => h("li", permissionWords(t, p))))),
        h("td", here ? holders(r).join(", ") : h("span.muted", "—"))))) : h("p.muted", t("people.roles.none")));
}
