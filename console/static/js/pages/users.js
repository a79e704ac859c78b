// Users at a tenant (homed there or below): search, create, and per user the
// display name, enabled or disabled, a new password, org units and role bindings.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";
import { tenantCode, tenantBar, readableAt, refusal, card } from "./people-common.js";

export async function render(ctx) {
  const { t, gqlAll, can, query } = ctx;
  const code = tenantCode(ctx);
  const [bar, [mayRead, mayWrite, unitsRead, unitsWrite, bindingsRead, tokensRead, tokensDelete]] = await Promise.all([tenantBar(ctx, code, "users"),
    can(code, [["users", "read"], ["users", "write"], ["orgunits", "read"], ["orgunits", "write"], ["RoleBinding", "read"], ["tokens", "read"], ["tokens", "delete"]])]);
  const search = query.get("q") || "";
  const after = query.get("after") || null;
  const lineage = bindingsRead !== false ? await readableAt(can, bar.lineage, "RoleBinding") : [];
  if (mayRead === false) return h("section.people", bar.el, h("h2", t("people.users.title")), h("p.muted", t("people.users.notYours")));
  const r = await gqlAll(`query($t:String!,$q:String,$a:String){
      users(tenant:$t, search:$q, first:50, after:$a){ totalCount pageInfo{ hasNextPage endCursor }
        nodes{ username displayName homeTenant disabled ${unitsRead !== false ? "memberships{ tenant unit unitName title }" : ""} } }
      ${unitsRead !== false ? `orgUnits(tenant:$t, first:500){ nodes{ code name } }` : ""}
      ${bindingsRead !== false ? lineage.map((c, i) => `b${i}: roleBindings(tenant:"${c}", first:500){ nodes{ tenant name spec } }`).join(" ") +
        ` below: roleBindings(tenant:$t, subtree:true, first:500){ nodes{ tenant name spec } }` : ""}
    }`, { t: code, q: search || null, a: after });
  const users = r.data.users;
  const units = (r.data.orgUnits || { nodes: [] }).nodes;
  const bindings = new Map();
  for (const b of [...lineage.flatMap((_, i) => (r.data["b" + i] || { nodes: [] }).nodes), ...((r.data.below || { nodes: [] }).nodes)]) bindings.set(b.tenant + "/" + b.name, b);
  const bindingsOf = u => [...bindings.values()].filter(b => (b.spec.subjects || []).some(s => s.kind === "User" && s.name === u));

  const searchForm = h("form#user-search.toolbar",
    h("label", t("people.search"), " ", h("input", { name: "q", value: search, size: 16 })),
    h("button", { type: "submit" }, t("people.find")));
  searchForm.addEventListener("submit", ev => {
    ev.preventDefault();
    const q = new FormData(searchForm).get("q");
    location.hash = "#/users/" + code + (q ? "?" + new URLSearchParams({ q }) : "");
  });

  const detail = h("div#user-detail");
  const table = users ? h("table#users",
    h("tr", ["username", "displayName", "homeTenant", "status", "units", "bindings"].map(k => h("th", t("people.user." + k))), mayWrite || tokensRead ? h("th") : null),
    users.nodes.map(u => h("tr", { dataset: { user: u.username }, class: u.disabled ? "disabled" : null },
      h("td", u.username), h("td", u.displayName), h("td.code", u.homeTenant || ""),
      h("td", u.disabled ? h("span.badge.locked", t("people.disabled")) : t("people.enabled")),
      h("td", (u.memberships || []).map(m => h("div", m.unitName, h("span.muted", " " + m.tenant + (m.title ? " · " + m.title : ""))))),
      h("td", bindingsRead === false ? h("span.muted", "—") : bindingsOf(u.username).map(b =>
        h("div", h("a", { href: `#/r/RoleBinding/${b.tenant}/${b.name}` }, b.spec.role), h("span.muted", " @" + b.tenant)))),
      mayWrite || tokensRead ? h("td", h("button.edit", { type: "button", on: { click: () => openUser(u) } }, t(mayWrite ? "people.edit" : "people.details"))) : null))) : null;

  // changed shows a saved change in the user's row; the page is not read again.
  const changed = u => {
    const row = table.querySelector(`tr[data-user="${CSS.escape(u.username)}"]`);
    row.classList.toggle("disabled", u.disabled);
    row.children[1].textContent = u.displayName;
    row.children[3].replaceChildren(u.disabled ? h("span.badge.locked", t("people.disabled")) : t("people.enabled"));
  };
  function openUser(u) {
    detail.replaceChildren(userDetail(ctx, u, code, units, { mayWrite, unitsWrite, tokensRead, tokensDelete, bindings: bindingsOf(u.username), changed }));
    detail.scrollIntoView({ block: "nearest" });
  }

  return h("section.people",
    bar.el,
    h("h2", t("people.users.title")),
    searchForm,
    r.errors.map(errorBox),
    users ? h("p.muted", t("people.count", { n: users.totalCount })) : null,
    table,
    users && users.pageInfo.hasNextPage ? h("a.button", { href: "#/users/" + code + "?" + new URLSearchParams({ ...(search ? { q: search } : {}), after: users.pageInfo.endCursor }) }, t("people.more")) : null,
    detail,
    mayWrite ? createForm(ctx, code) : null);
}

// status shows an action's outcome beside its form.
function status() {
  return h("div.status", { role: "status" });
}

function userDetail(ctx, u, code, units, { mayWrite, unitsWrite, tokensRead, tokensDelete, bindings, changed }) {
  const { t, gql } = ctx;
  const act = async (st, fn, done) => {
    st.replaceChildren();
    try { await fn(); st.append(h("p.ok", typeof done === "function" ? done() : done)); } catch (e) { st.append(refusal(e)); }
  };
  const nameSt = status(), pwSt = status(), unitSt = status(), stateSt = status();
  const nameForm = h("form#user-name.toolbar",
    h("label", t("people.user.displayName"), " ", h("input", { name: "displayName", value: u.displayName, size: 20 })),
    h("button", { type: "submit" }, t("people.save")), nameSt);
  nameForm.addEventListener("submit", ev => {
    ev.preventDefault();
    act(nameSt, async () => {
      const d = await gql(`mutation($u:String!,$n:String!){ updateUser(username:$u, displayName:$n){ displayName } }`,
        { u: u.username, n: new FormData(nameForm).get("displayName") });
      u.displayName = d.updateUser.displayName;
      changed(u);
    }, t("people.saved"));
  });
  const pwForm = h("form#user-password.toolbar",
    h("label", t("people.newPassword"), " ", h("input", { name: "password", type: "password", autocomplete: "new-password", size: 16 })),
    h("button", { type: "submit" }, t("people.resetPassword")), pwSt);
  pwForm.addEventListener("submit", ev => {
    ev.preventDefault();
    act(pwSt, () => gql(`mutation($u:String!,$p:String!){ setPassword(username:$u, password:$p) }`,
      { u: u.username, p: new FormData(pwForm).get("password") }), t("people.passwordSet"));
  });
  const toggle = h("button#user-toggle", { type: "button", on: { click: () => act(stateSt, async () => {
    await gql(`mutation($u:String!,$d:Boolean!){ setUserDisabled(username:$u, disabled:$d) }`, { u: u.username, d: !u.disabled });
    u.disabled = !u.disabled;
    toggle.textContent = t(u.disabled ? "people.enable" : "people.disable");
    changed(u);
  }, () => t(u.disabled ? "people.disabledNow" : "people.enabledNow")) } }, t(u.disabled ? "people.enable" : "people.disable"));
  const unitForm = unitsWrite !== false && units.length ? h("form#user-unit.toolbar",
    h("label", t("people.unit"), " ", h("select", { name: "unit" }, units.map(x => h("option", { value: x.code }, x.name + " (" + x.code + ")")))),
    h("label", t("people.title"), " ", h("input", { name: "title", size: 10 })),
    h("button", { type: "submit" }, t("people.addToUnit")), unitSt) : null;
  if (unitForm) unitForm.addEventListener("submit", ev => {
    ev.preventDefault();
    const f = new FormData(unitForm);
    act(unitSt, () => gql(`mutation($u:String!,$t:String!,$o:String!,$ti:String){ addMembership(username:$u, tenant:$t, unit:$o, title:$ti) }`,
      { u: u.username, t: code, o: f.get("unit"), ti: f.get("title") || null }), t("people.saved"));
  });
  const tokens = h("div#user-tokens");
  if (tokensRead) userTokens(ctx, u.username, tokens, tokensDelete);
  return card(t("people.user.edit", { user: u.username }),
    mayWrite ? [nameForm, pwForm, h("div.toolbar", toggle, stateSt)] : null,
    (u.memberships || []).length ? h("ul#user-units", u.memberships.map(m => membershipItem(ctx, u, m, unitsWrite !== false && m.tenant === code))) : null,
    mayWrite ? unitForm : null,
    tokensRead ? [h("h4", t("people.sec.tokensOf")), tokens] : null,
    h("h4", t("people.user.bindings")),
    bindings.length ? h("ul", bindings.map(b => h("li", h("a", { href: `#/r/RoleBinding/${b.tenant}/${b.name}` }, b.spec.role), " @" + b.tenant))) : h("p.muted", t("people.nobindings")),
    h("a", { href: "#/bindings/" + code }, t("people.toMatrix")));
}

function createForm(ctx, code) {
  const { t, gql } = ctx;
  const field = (name, attrs) => h("div.field", { dataset: { path: name } },
    h("label", t("people.user." + name), attrs.required ? h("span.req", " *") : null),
    h("input", { name, ...attrs }), h("div.field-error", { role: "alert" }));
  const st = status();
  const form = h("form#user-create.card", { novalidate: true },
    h("h3", t("people.user.create")),
    field("username", { required: true, autocomplete: "off" }),
    field("displayName", {}),
    field("password", { type: "password", required: true, autocomplete: "new-password" }),
    field("homeTenant", { value: code, required: true }),
    field("phone", {}), field("idNumber", {}),
    h("button", { type: "submit" }, t("people.create")), st);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    form.querySelectorAll(".field").forEach(f => { f.classList.remove("invalid"); f.querySelector(".field-error").replaceChildren(); });
    st.replaceChildren();
    const f = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v));
    try {
      const d = await gql(`mutation($i:UserInput!){ createUser(input:$i){ username homeTenant } }`, { i: f });
      location.hash = "#/users/" + d.createUser.homeTenant + "?" + new URLSearchParams({ q: d.createUser.username });
    } catch (e) {
      const rest = [];
      for (const fe of e.fields || []) {
        const el = form.querySelector(`.field[data-path="${fe.path.replace(/^input\./, "")}"]`);
        if (el) { el.classList.add("invalid"); el.querySelector(".field-error").append(h("div", fe.message)); } else rest.push(fe);
      }
      st.append(errorBox(e), ...rest.map(fe => h("div.muted", fe.path + ": " + fe.message)));
    }
  });
  return form;
}

// userTokens shows a user's API tokens, with revoke for whoever may delete tokens.
async function userTokens({ t, gql, gqlAll }, username, el, mayRevoke) {
  const r = await gqlAll(`query($u:String!){ user(username:$u){ tokens{ id name tenant scopes expiresAt revoked } } }`, { u: username });
  const list = r.data.user && r.data.user.tokens;
  el.replaceChildren(...r.errors.map(errorBox), list && list.length ? h("table",
    h("tr", ["name", "tenant", "scopes", "expiresAt", "state"].map(k => h("th", t("people.token." + k))), mayRevoke ? h("th") : null),
    list.map(k => {
      const st = h("span");
      return h("tr", { class: k.revoked ? "disabled" : null, dataset: { token: k.name } },
        h("td", k.name), h("td.code", k.tenant || "*"), h("td", k.scopes.join(" ") || t("people.token.all")),
        h("td", k.expiresAt ? fmtTime(k.expiresAt, lang) : t("people.token.never")), h("td", t(k.revoked ? "people.token.revoked" : "people.token.live")),
        mayRevoke ? h("td", k.revoked ? null : h("button.revoke", { type: "button", on: { click: async () => {
          try { await gql(`mutation($i:Int!){ revokeToken(id:$i) }`, { i: k.id }); await userTokens({ t, gql, gqlAll }, username, el, mayRevoke); } catch (e) { st.replaceChildren(refusal(e)); }
        } } }, t("people.token.revoke")), st) : null);
    })) : list ? h("p.muted", t("people.token.noneOf")) : null);
}

// membershipItem is one of the user's org units, with a way out of it for whoever
// may write the unit's tenant's org units.
function membershipItem({ t, gql }, u, m, mayRemove) {
  const st = h("span");
  const li = h("li", { dataset: { unit: m.unit } }, m.unitName, h("span.muted", " " + m.tenant + (m.title ? " · " + m.title : "")), " ",
    mayRemove ? h("button.remove", { type: "button", on: { click: async () => {
      try {
        await gql(`mutation($u:String!,$t:String!,$o:String!){ removeMembership(username:$u, tenant:$t, unit:$o) }`, { u: u.username, t: m.tenant, o: m.unit });
        li.remove();
      } catch (e) { st.replaceChildren(refusal(e)); }
    } } }, t("people.leaveUnit")) : null, st);
  return li;
}
