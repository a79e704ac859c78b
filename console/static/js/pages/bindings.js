// Role bindings at a tenant as a matrix: users (rows) × roles in force (columns).
// A checkbox adds the user to a binding of the role here, or takes them out, through
// the same applyResources and deleteResource the resource pages use; a refusal (the
// separation of duties, a role one may not grant) stays in the cell with the
// server's reason. Bindings above the tenant show, and are changed where they are.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { tenantCode, tenantBar, rolesInForce, readableAt, bindingRoleTenant, permissionWords, refusal } from "./people-common.js";

export async function render(ctx) {
  const { t, gql, gqlAll, can } = ctx;
  const code = tenantCode(ctx);
  const [bar, [mayWrite, mayExplain]] = await Promise.all([tenantBar(ctx, code, "bindings"), can(code, [["RoleBinding", "write"], ["RoleBinding", "read"]])]);
  const lineage = bar.lineage;
  // One permission question per tier for both kinds; rolesInForce then reads the cache.
  await Promise.all(lineage.map(c => can(c, [["Role", "read"], ["RoleBinding", "read"]])));
  const tiers = await readableAt(can, lineage, "RoleBinding");
  const [{ roles, errors, hidden }, r] = await Promise.all([rolesInForce(ctx, lineage), gqlAll(`query($t:String!){
      users(tenant:$t, first:200){ nodes{ username displayName disabled } }
      ${tiers.map((c, i) => `b${i}: roleBindings(tenant:"${c}", first:500){ nodes{ apiVersion tenant name labels spec } }`).join(" ")}
    }`, { t: code })]);
  let bindings = tiers.flatMap((_, i) => (r.data["b" + i] || { nodes: [] }).nodes);
  const users = r.data.users ? r.data.users.nodes.slice() : [];
  for (const b of bindings.filter(b => b.tenant === code)) {
    for (const s of b.spec.subjects || []) {
      if (s.kind === "User" && !users.some(u => u.username === s.name)) users.push({ username: s.name, displayName: "" });
    }
  }
  // A role bound here whose definition the user may not read is still a column.
  for (const b of bindings.filter(b => b.tenant === code)) {
    const rt = bindingRoleTenant(b, roles, lineage);
    if (!roles.some(r => r.tenant === rt && r.name === b.spec.role)) roles.push({ tenant: rt, name: b.spec.role, spec: {}, unread: true });
  }
  const cols = roles.slice().reverse();
  const roleOf = b => bindingRoleTenant(b, roles, lineage) + "/" + b.spec.role;
  const holds = (b, u) => (b.spec.subjects || []).some(s => s.kind === "User" && s.name === u);
  // Bindings a sign-in keeps in step with a provider's group are the provider's: shown,
  // never joined or left from here (the next sign-in would undo it).
  const managed = b => Boolean(b.labels && b.labels["gdbos.io/managed-by"]);
  const direct = (u, role) => bindings.filter(b => b.tenant === code && !managed(b) && roleOf(b) === role.tenant + "/" + role.name && holds(b, u));
  const viaGroup = (u, role) => bindings.filter(b => b.tenant === code && managed(b) && roleOf(b) === role.tenant + "/" + role.name && holds(b, u));
  const above = (u, role) => bindings.filter(b => b.tenant !== code && roleOf(b) === role.tenant + "/" + role.name && holds(b, u));

  const panel = h("div#explain-panel");
  const cells = [];
  const cell = (u, role) => {
    const box = h("input", { type: "checkbox", "aria-label": u.username + " " + role.name });
    const note = h("div.cell-note");
    const td = h("td.cell", { dataset: { user: u.username, role: role.name } }, box,
      mayExplain !== false ? h("button.explain", { type: "button", title: t("people.explain"), on: { click: () => explain(u, role) } }, "?") : null, note);
    const paint = () => {
      const up = above(u, role);
      box.checked = direct(u.username, role).length > 0;
      box.disabled = mayWrite === false;
      td.classList.toggle("bound", box.checked);
      td.classList.toggle("inherited", up.length > 0);
      td.title = up.length ? t("people.boundAbove", { tenants: up.map(b => b.tenant).join(", ") }) : "";
      td.querySelectorAll(".above").forEach(m => m.remove());
      if (up.length) td.insertBefore(h("span.above", "↑" + up.map(b => b.tenant).join(",")), note);
      const groups = viaGroup(u.username, role);
      if (groups.length) td.insertBefore(h("span.above", { title: groups.map(b => b.name).join(", ") }, t("people.viaGroup")), note);
    };
    box.addEventListener("change", async () => {
      const want = box.checked;
      note.replaceChildren();
      td.classList.remove("refused");
      box.disabled = true;
      try {
        if (want) await bind(u.username, role); else await unbind(u.username, role);
      } catch (e) {
        td.classList.add("refused");
        note.append(refusal(e));
      }
      paint();
    });
    paint();
    cells.push(paint);
    return td;
  };

  async function bind(u, role) {
    const same = bindings.find(b => b.tenant === code && !managed(b) && roleOf(b) === role.tenant + "/" + role.name);
    const obj = same
      ? objectOf(same, [...same.spec.subjects, { kind: "User", name: u }])
      : { apiVersion: "gdbos.io/v1", kind: "RoleBinding", metadata: { tenant: code, name: freeName(role.name, u) },
        spec: { role: role.name, roleTenant: role.tenant, subjects: [{ kind: "User", name: u }] } };
    await save(obj);
  }

  async function unbind(u, role) {
    for (const b of direct(u, role)) {
      const rest = b.spec.subjects.filter(s => !(s.kind === "User" && s.name === u));
      if (rest.length) await save(objectOf(b, rest));
      else {
        await gql(`mutation($t:String!,$n:String!){ deleteResource(kind:"RoleBinding", tenant:$t, name:$n) }`, { t: b.tenant, n: b.name });
        bindings = bindings.filter(x => x !== b);
      }
    }
  }

  async function save(obj) {
    const d = await gql(`mutation($o:[JSON!]){ applyResources(objects:$o){ resource{ apiVersion tenant name labels spec } } }`, { o: [obj] });
    const saved = d.applyResources[0].resource;
    bindings = bindings.filter(b => !(b.tenant === saved.tenant && b.name === saved.name)).concat(saved);
    cells.forEach(p => p());
  }

  const freeName = (role, u) => bindings.some(b => b.tenant === code && b.name === role) ? role + "." + u : role;

  async function explain(u, role) {
    const pairs = (role.spec.permissions || []).flatMap(p => p.resources.slice(0, 2).flatMap(res => p.actions.slice(0, 2).map(a => [res, a]))).slice(0, 8);
    panel.replaceChildren(h("h3", t("people.explainTitle", { user: u.username, role: role.name, tenant: code })));
    if (!pairs.length) return;
    const x = await gqlAll(`query($u:String!,$t:String!){ ${pairs.map((p, i) =>
      `e${i}: explainAccess(user:$u, tenant:$t, kind:${JSON.stringify(p[0])}, action:${JSON.stringify(p[1] === "*" ? "write" : p[1])}){ allowed reason }`).join(" ")} }`, { u: u.username, t: code });
    panel.append(...x.errors.map(errorBox), h("ul#explain", pairs.map((p, i) => {
      const e = x.data["e" + i];
      return e ? h("li", { class: e.allowed ? "ok" : "error" }, (e.allowed ? "✔ " : "✘ ") + permissionWords(t, { resources: [p[0]], actions: [p[1] === "*" ? "write" : p[1]] }) + " — ", h("span.muted", e.reason)) : null;
    })));
  }

  return h("section.people",
    bar.el,
    h("h2", t("people.bindings.title")),
    h("p.muted", mayWrite === false ? t("people.bindings.readOnly") : t("people.bindings.help")),
    errors.concat(r.errors).map(errorBox),
    hidden.length ? h("p.muted", t("people.roles.hidden", { tenants: hidden.join(", ") })) : null,
    users.length && cols.length ? h("div.matrix-wrap", h("table#matrix.matrix",
      h("tr", h("th", t("people.user.username")), cols.map(c => h("th", c.unread ? c.name : h("a", { href: `#/r/Role/${c.tenant}/${c.name}` }, c.name), h("div.muted", c.tenant)))),
      users.map(u => h("tr", { dataset: { user: u.username } },
        h("th", h("a", { href: "#/users/" + code + "?" + new URLSearchParams({ q: u.username }) }, u.username), u.displayName ? h("div.muted", u.displayName) : null),
        cols.map(c => cell(u, c)))))) : h("p.muted", t("people.bindings.none")),
    panel);
}

// objectOf is a stored binding with other subjects, ready for applyResources.
function objectOf(b, subjects) {
  return { apiVersion: b.apiVersion || "gdbos.io/v1", kind: "RoleBinding",
    metadata: { tenant: b.tenant, name: b.name, ...(b.labels ? { labels: b.labels } : {}) },
    spec: { ...b.spec, subjects } };
}
