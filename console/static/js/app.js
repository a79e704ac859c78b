// The shell: sign-in, the header with the user's tenants, the language switch and
// hash routing. Each page is a module under pages/, loaded when first visited; a new
// page is one more entry in routes.
import { gql, gqlAll, session, onUnauthenticated, clearPermissions, can, APIError } from "./api.js";
import { h } from "./dom.js";
import { errorBox } from "./ui.js";
import * as i18n from "./i18n.js";
const { t } = i18n;

// routes: hash pattern → page module. nav entries appear in the menu when the user
// may do need ([area or kind, action]) at their top tenant, or when the API does not say.
export const routes = [
  { re: /^dashboard$/, page: () => import("./pages/dashboard.js"), nav: "dashboard.nav" },
  { re: /^tenants$/, page: () => import("./pages/tenants.js"), nav: "nav.tenants", need: ["tenants", "read"] },
  { re: /^tenants\/(?<code>[^/]+)$/, page: () => import("./pages/tenant.js") },
  { re: /^resources$/, page: () => import("./pages/kinds.js"), nav: "nav.resources" },
  { re: /^resources\/(?<kind>[^/]+)\/(?<tenant>[^/]+)$/, page: () => import("./pages/resources.js") },
  { re: /^new\/(?<kind>[^/]+)\/(?<tenant>[^/]+)$/, page: () => import("./pages/resource.js") },
  { re: /^r\/(?<kind>[^/]+)\/(?<tenant>[^/]+)\/(?<name>[^/]+)$/, page: () => import("./pages/resource.js") },
  { re: /^standards$/, page: () => import("./pages/standards.js"), nav: "nav.standards", need: ["DataElement", "read"] },
  { re: /^entities$/, page: () => import("./pages/entities.js"), nav: "data.nav.entities", need: ["EntitySchema", "read"] },
  { re: /^entities\/(?<tenant>[^/]+)\/(?<name>[^/]+)$/, page: () => import("./pages/entity.js") },
  { re: /^new-entity\/(?<tenant>[^/]+)$/, page: () => import("./pages/entity.js") },
  { re: /^records\/(?<tenant>[^/]+)\/(?<entity>[^/]+)$/, page: () => import("./pages/records.js") },
  { re: /^import\/(?<tenant>[^/]+)\/(?<entity>[^/]+)$/, page: () => import("./pages/import.js") },
  { re: /^calendar$/, page: () => import("./pages/calendar.js"), nav: "nav.calendar" },
  { re: /^calendar\/(?<tenant>[^/]+)\/(?<year>\d{4})$/, page: () => import("./pages/calendar.js") },
  { re: /^plugins$/, page: () => import("./pages/plugins.js"), nav: "plugins.nav", need: ["Plugin", "read"] },
  { re: /^plugins\/install$/, page: () => import("./pages/plugin-install.js") },
  { re: /^plugins\/(?<id>[^/]+)\/grants$/, page: () => import("./pages/plugin-grants.js") },
  { re: /^catalog$/, page: () => import("./pages/catalog.js"), nav: "catalog.nav", need: ["ServiceItem", "read"] },
  { re: /^catalog\/(?<tenant>[^/]+)$/, page: () => import("./pages/catalog.js") },
  { re: /^implementations\/(?<tenant>[^/]+)$/, page: () => import("./pages/implementations.js") },
  { re: /^implementations\/(?<tenant>[^/]+)\/(?<code>[^/]+)$/, page: () => import("./pages/implementation.js") },
  { re: /^guide\/(?<tenant>[^/]+)\/(?<code>[^/]+)$/, page: () => import("./pages/guide.js") },
  { re: /^devolve\/(?<tenant>[^/]+)$/, page: () => import("./pages/devolve.js") },
  { re: /^devolutions\/(?<tenant>[^/]+)$/, page: () => import("./pages/devolutions.js") },
  { re: /^devolutions\/(?<tenant>[^/]+)\/(?<id>\d+)$/, page: () => import("./pages/devolutions.js") },
  { re: /^lists\/(?<tenant>[^/]+)$/, page: () => import("./pages/lists.js") },
  { re: /^lists\/(?<tenant>[^/]+)\/(?<name>[^/]+)$/, page: () => import("./pages/lists.js") },
  { re: /^rate\/(?<tenant>[^/]+)$/, page: () => import("./pages/rate.js") },
  { re: /^audit$/, page: () => import("./pages/audit.js"), nav: "nav.audit", need: ["audit", "read"] },
  { re: /^graphiql$/, page: () => import("./pages/graphiql.js"), nav: "nav.graphiql" },
  { re: /^appoint$/, page: () => import("./pages/appoint.js"), nav: "appoint.nav", superadmin: true },
  { re: /^users$/, page: () => import("./pages/users.js"), nav: "people.nav.people", need: ["users", "read"] },
  { re: /^users\/(?<tenant>[^/]+)$/, page: () => import("./pages/users.js") },
  { re: /^orgunits\/(?<tenant>[^/]+)$/, page: () => import("./pages/orgunits.js") },
  { re: /^roles\/(?<tenant>[^/]+)$/, page: () => import("./pages/roles.js") },
  { re: /^bindings\/(?<tenant>[^/]+)$/, page: () => import("./pages/bindings.js") },
  { re: /^security$/, page: () => import("./pages/security.js"), nav: "people.nav.security", need: ["RoleBinding", "read"] },
  { re: /^auditor$/, page: () => import("./pages/auditor.js"), nav: "people.nav.auditor", need: ["audit", "read"] },
];

// ctx is what every page gets: the user, their top tenants, helpers.
export const ctx = { user: null, roots: [], t, gql, gqlAll, can: (tenant, checks) => can(ctx.user.username, tenant, checks) };

const main = () => document.getElementById("main");

// returned holds what an OIDC sign-in brought back in the URL's fragment
// (#token=…&expiresAt=… or #error=…&code=…), read once at start.
let returned = null;
const OIDC_STARTED = "gdbos.oidc.started";

function signIn() {
  const err = h("div.login-error");
  const oidc = h("div#oidc-providers");
  const form = h("form#login.card",
    h("h2", t("signin.title")),
    h("label", t("signin.username"), h("input", { name: "username", autocomplete: "username", required: true })),
    h("label", t("signin.password"), h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("button", { type: "submit" }, t("signin.submit")),
    oidc,
    err);
  if (returned && returned.has("error")) {
    err.append(errorBox(new APIError({ message: returned.get("error"), extensions: { code: returned.get("code") || "UNAUTHENTICATED" } })));
    returned = null;
  }
  gqlAll("{ identityProviders { tenant name title loginPath } }").then(({ data, errors }) => {
    const list = data.identityProviders || [];
    errors.forEach(e => err.append(errorBox(e)));
    if (!list.length) return;
    const back = encodeURIComponent(location.pathname);
    oidc.append(h("p.muted", t("signin.oidc.or")), ...list.map(p =>
      h("a.button.oidc", { href: p.loginPath + "?redirect=" + back, dataset: { provider: p.tenant + "/" + p.name },
        on: { click: () => sessionStorage.setItem(OIDC_STARTED, String(Date.now())) } }, t("signin.oidc.with", { title: p.title }))));
  });
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const f = new FormData(form);
    err.replaceChildren();
    try {
      const d = await gql("mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}", { u: f.get("username"), p: f.get("password") });
      session.token = d.login.token;
      await start();
    } catch (e) {
      err.append(errorBox(e));
    }
  });
  renderHeader();
  main().replaceChildren(form);
}

async function signOut() {
  try { await gql("mutation{logout}"); } catch { /* the session may be gone already */ }
  session.token = null;
  ctx.user = null;
  clearPermissions();
  location.hash = "";
  signIn();
}

function renderHeader() {
  const header = document.getElementById("header");
  const langSel = h("select#lang", { "aria-label": t("lang.label"), on: { change: async ev => { await i18n.load(ev.target.value); ctx.user ? renderShell() : signIn(); } } },
    i18n.languages.map(l => h("option", { value: l, selected: l === i18n.lang }, t("lang." + l))));
  const parts = [h("a.brand", { href: "#/tenants" }, t("app.title")), h("nav#nav")];
  if (ctx.user) {
    parts.push(h("span#who", ctx.user.displayName || ctx.user.username),
      h("select#tenant-switch", { "aria-label": t("shell.tenants"), on: { change: ev => { location.hash = "#/tenants/" + ev.target.value; } } },
        h("option", { value: "" }, t("shell.tenants")),
        ctx.roots.map(r => h("option", { value: r.code }, r.name + " " + r.code))),
      h("button#logout", { type: "button", on: { click: signOut } }, t("shell.signout")));
  }
  parts.push(langSel);
  header.replaceChildren(...parts);
}

async function renderNav() {
  const nav = document.getElementById("nav");
  // The bootstrap superadmin may only appoint the three administrators: its menu is that.
  const items = routes.filter(r => r.nav && !r.superadmin === !ctx.user.superadmin);
  const top = ctx.roots[0] && ctx.roots[0].code;
  const answers = top ? await can(ctx.user.username, top, items.filter(r => r.need).map(r => r.need)) : [];
  let i = 0;
  const current = location.hash.slice(2).split("/")[0];
  nav.replaceChildren(...items.flatMap(r => {
    const ok = r.need ? answers[i++] !== false : true;
    if (!ok) return [];
    const href = "#/" + r.re.source.replace(/^\^|\$$/g, "");
    return [h("a", { href, class: href.slice(2) === current ? "active" : null }, t(r.nav))];
  }));
}

function renderShell() {
  renderHeader();
  renderNav().catch(e => document.getElementById("nav").append(errorBox(e)));
  route();
}

let seq = 0;
async function route() {
  if (!ctx.user) return;
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, "").split("?")[0]) || (ctx.user.superadmin ? "appoint" : "tenants");
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const r = routes.find(r => r.re.test(path));
  const el = main();
  const mine = ++seq;
  document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", a.getAttribute("href").slice(2) === path.split("/")[0]));
  if (!r) { el.replaceChildren(h("p", t("shell.notfound"))); return; }
  el.setAttribute("aria-busy", "true");
  try {
    const mod = await r.page();
    const view = await mod.render({ ...ctx, params: path.match(r.re).groups || {}, query });
    if (mine === seq) el.replaceChildren(view);
  } catch (e) {
    if (mine === seq) el.replaceChildren(errorBox(e));
  } finally {
    if (mine === seq) { el.removeAttribute("aria-busy"); el.dataset.route = path; }
  }
}

async function start() {
  const d = await gql(`{ me { username displayName homeTenant superadmin } tenants(level: "province", first: 100) { nodes { code name level } } }`);
  ctx.user = d.me;
  ctx.roots = d.tenants.nodes;
  if (!ctx.roots.length && d.me.homeTenant) {
    const home = await gql("query($c:String!){tenant(code:$c){code name level}}", { c: d.me.homeTenant });
    if (home.tenant) ctx.roots = [home.tenant];
  }
  if (ctx.user.superadmin) location.hash = "#/appoint";
  renderShell();
}

onUnauthenticated(() => { session.token = null; ctx.user = null; clearPermissions(); signIn(); });
window.addEventListener("hashchange", route);

await i18n.load(i18n.lang);
// A session in the fragment is taken only when this tab started an OIDC sign-in in
// the last ten minutes: a link carrying someone else's session must not sign the
// reader in as them.
const started = Number(sessionStorage.getItem(OIDC_STARTED) || 0);
sessionStorage.removeItem(OIDC_STARTED);
if (!location.hash.startsWith("#/")) {
  const back = new URLSearchParams(location.hash.slice(1));
  if (back.has("token") || back.has("error")) {
    history.replaceState(null, "", location.pathname + location.search);
    if (Date.now() - started > 10 * 60 * 1000) returned = new URLSearchParams({ error: t("signin.oidc.unasked"), code: "BAD_REQUEST" });
    else if (back.has("token")) session.token = back.get("token");
    else returned = back;
  }
}
if (session.token) {
  try { await start(); } catch { session.token = null; signIn(); }
} else {
  signIn();
}
