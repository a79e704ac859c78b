// What the people and security pages share: the tenant a page is about, with its
// place in the tree to move up and down, the roles in force there, and
// permissions and refusals in words.
import { h } from "../dom.js";
import { APIError } from "../api.js";
import { tenantCrumbs } from "../ui.js";

// tenantCode is the route's tenant, or the user's top tenant.
export function tenantCode(ctx) {
  return ctx.params.tenant || (ctx.roots[0] && ctx.roots[0].code) || "";
}

// tenantBar reads the tenant and answers it with the codes from its root down
// (lineage) and a bar linking to the same page at its ancestors and children.
export async function tenantBar(ctx, code, route) {
  const { t, gql } = ctx;
  const d = await gql(`query($c:String!){ tenant(code:$c){ code name level ancestors{ code name } children{ code name } } }`, { c: code });
  const tn = d.tenant;
  if (!tn) throw new Error(t("tenant.notfound", { code }));
  const go = c => "#/" + route + "/" + c;
  const el = tenantCrumbs(tn, go);
  const tabs = h("nav.tabs.people-tabs", ["users", "orgunits", "roles", "bindings"].map(p =>
    h("a", { href: go(tn.code).replace("#/" + route, "#/" + p), class: p === route ? "active" : null }, t("people.tab." + p))));
  return { tenant: tn, lineage: [...tn.ancestors.map(a => a.code), tn.code], el: h("div", el, tabs) };
}

// rolesInForce lists the Role resources defined at the tenants of lineage, the
// nearest last. Tenants whose roles the user may not read are not asked (a refused
// read is an audit entry) and are named in hidden.
export async function rolesInForce({ gqlAll, can }, lineage) {
  const asked = await readableAt(can, lineage, "Role");
  const r = asked.length ? await gqlAll(`{ ${asked.map((c, i) => `r${i}: roles(tenant:"${c}", first:200){ nodes{ tenant name labels spec } }`).join(" ")} }`) : { data: {}, errors: [] };
  return { roles: asked.flatMap((_, i) => (r.data["r" + i] || { nodes: [] }).nodes), errors: r.errors, hidden: lineage.filter(c => !asked.includes(c)) };
}

// readableAt answers the tenants of codes where the user may read kind, so that a
// page does not ask for what would be refused (each refusal is an audit entry).
export async function readableAt(can, codes, kind) {
  const may = await Promise.all(codes.map(c => can(c, [[kind, "read"]])));
  return codes.filter((_, i) => may[i][0] !== false);
}

// bindingRoleTenant is the tenant of the Role a binding grants: its roleTenant, or
// the nearest tenant of lineage (up to the binding's) that defines one of that name.
export function bindingRoleTenant(b, roles, lineage) {
  if (b.spec.roleTenant) return b.spec.roleTenant;
  const upTo = lineage.indexOf(b.tenant);
  const codes = (upTo < 0 ? lineage : lineage.slice(0, upTo + 1)).slice().reverse();
  return codes.find(c => roles.some(r => r.tenant === c && r.name === b.spec.role)) || "";
}

const knownActions = ["read", "write", "delete", "unmask", "*"];

// permissionWords says one permission of a role in words: "读取、写入：租户、模块".
export function permissionWords(t, p) {
  const word = (prefix, v) => {
    const key = prefix + (v === "*" ? "any" : v);
    const s = t(key);
    return s === key ? v : s;
  };
  const actions = (p.actions || []).map(a => knownActions.includes(a) ? word("people.action.", a) : a);
  const resources = (p.resources || []).map(r => word("people.area.", r));
  return t("people.permission", { actions: actions.join(t("people.sep")), resources: resources.join(t("people.sep")) });
}

// refusal shows a server's refusal with every field message it carried (the
// separation of duties says who holds what there).
export function refusal(e) {
  const box = h("div.refusal", { role: "alert" });
  if (e instanceof APIError) {
    box.append(h("span", e.message), " ", h("code.code", e.code));
    for (const f of e.fields || []) if (!e.message.includes(f.message)) box.append(h("div.muted", f.message));
  } else box.append(String((e && e.message) || e));
  return box;
}

export function card(title, ...body) {
  return h("div.card", h("h3", title), ...body);
}
