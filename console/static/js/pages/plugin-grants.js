// Which tenants grant a plugin, with which of its capabilities and of the
// permissions it asks for: the PluginGrant resources named after it, stored at the
// user's top tenants and below. Grant and revoke per tenant go through
// applyResources and deleteResource, offered where the user may write PluginGrant.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { showFieldErrors, clearFieldErrors } from "../form.js";
import { lang } from "../i18n.js";
import { rerender } from "./plugins.js";

const KIND = "PluginGrant";

// perms turns a grant's permissions ([{on, actions}]) into "On:action" strings.
function perms(spec) {
  return (spec.permissions || []).flatMap(p => p.actions.map(a => p.on + ":" + a));
}

// specOf builds a grant's spec from capabilities and "On:action" strings.
function specOf(capabilities, checked) {
  const by = new Map();
  for (const x of checked) {
    const i = x.lastIndexOf(":");
    const on = x.slice(0, i), action = x.slice(i + 1);
    if (!by.has(on)) by.set(on, []);
    by.get(on).push(action);
  }
  const spec = { capabilities };
  if (by.size) spec.permissions = [...by].map(([on, actions]) => ({ on, actions }));
  return spec;
}

export async function render(ctx) {
  const { t, gql, gqlAll, params } = ctx;
  const id = params.id;
  const roots = ctx.roots.map(r => r.code);
  const r = await gqlAll(`query($n:String!){
      plugins{ id title version capabilities permissions }
      ${roots.map((c, i) => `g${i}: resources(kind:"${KIND}", tenant:"${c}", subtree:true, name:$n, first:500){ nodes{ tenant name spec version updatedBy updatedAt } }`).join("\n")}
    }`, { n: id });
  const p = (r.data.plugins || []).find(x => x.id === id);
  const head = h("nav.crumbs", h("a", { href: "#/plugins" }, t("plugins.title")), " / ", id, " / ", t("plugins.grants"));
  if (!p) {
    return h("section", head, h("h2", t("plugins.grantsOf", { id })), r.errors.map(errorBox),
      r.data.plugins ? h("p.error#no-plugin", t("plugins.notInstalled", { id })) : null);
  }
  const grants = roots.flatMap((_, i) => (r.data["g" + i] || { nodes: [] }).nodes)
    .sort((a, b) => a.tenant.localeCompare(b.tenant));
  const tenants = [...new Set(grants.map(g => g.tenant))];
  const [names, ...access] = await Promise.all([
    tenants.length ? gqlAll(`{ ${tenants.map((c, i) => `t${i}: tenant(code:"${c}"){ name }`).join(" ")} }`) : { data: {} },
    ...tenants.map(c => ctx.can(c, [[KIND, "write"], [KIND, "delete"]])),
    roots.length ? ctx.can(roots[0], [[KIND, "write"]]) : [false],
  ]);
  const mayAt = Object.fromEntries(tenants.map((c, i) => [c, access[i]]));
  const [mayGrant] = access[tenants.length];
  const nameOf = c => ((names.data || {})["t" + tenants.indexOf(c)] || {}).name || "";

  const status = h("div.status", { role: "status" });
  const form = mayGrant !== false ? grantForm(ctx, p, status) : null;
  const edit = g => {
    form.querySelector("#grant-tenant").value = g.tenant;
    form.querySelectorAll("input[name=capability]").forEach(x => { x.checked = (g.spec.capabilities || []).includes(x.value); });
    form.querySelectorAll("input[name=permission]").forEach(x => { x.checked = perms(g.spec).includes(x.value); });
    form.scrollIntoView({ block: "center" });
  };
  const revoke = async g => {
    if (!confirm(t("plugins.confirmRevoke", { id, tenant: g.tenant }))) return;
    try {
      await gql("mutation($k:String!,$t:String!,$n:String!){ deleteResource(kind:$k, tenant:$t, name:$n) }", { k: KIND, t: g.tenant, n: id });
      rerender();
    } catch (e) { status.replaceChildren(errorBox(e)); }
  };

  return h("section.plugin-grants", { dataset: { plugin: id } },
    head,
    h("h2", t("plugins.grantsOf", { id: p.title || id }), h("span.code", id), h("span.badge", "v" + p.version)),
    h("p.muted", t("plugins.grantsHelp")),
    r.errors.map(errorBox),
    grants.length ? h("table#grants",
      h("tr", h("th", t("resources.tenant")), h("th", t("plugins.capabilities")), h("th", t("plugins.grantedPermissions")), h("th", t("resources.version")), h("th", t("plugins.updated")), h("th", "")),
      grants.map(g => {
        const caps = g.spec.capabilities || [];
        const [mayWrite, mayDelete] = mayAt[g.tenant] || [];
        return h("tr", { dataset: { tenant: g.tenant } },
          h("td", h("a", { href: "#/tenants/" + g.tenant }, nameOf(g.tenant) || g.tenant), h("span.code", g.tenant)),
          h("td", caps.length ? caps.map(c => h("span.badge.cap", t("plugins.cap." + c))) : h("span.badge.locked.withdrawn", t("plugins.withdrawn"))),
          h("td", perms(g.spec).length ? perms(g.spec).map(x => h("span.badge.perm", x)) : h("span.muted", "–")),
          h("td", h("a", { href: `#/r/${KIND}/${g.tenant}/${id}` }, "v" + g.version)),
          h("td", g.updatedBy || "", h("span.muted", fmtTime(g.updatedAt, lang))),
          h("td", h("div.buttons",
            form && mayWrite !== false ? h("button.edit-grant", { type: "button", on: { click: () => edit(g) } }, t("plugins.edit")) : null,
            mayDelete !== false ? h("button.danger.revoke", { type: "button", on: { click: () => revoke(g) } }, t("plugins.revoke")) : null)));
      })) : h("p.muted#no-grants", t("plugins.noGrants")),
    status,
    checkForm(ctx, id),
    form ? h("div", h("h3", t("plugins.grantTitle")), form) : h("p.muted#grant-readonly", t("plugins.mayNotGrant")));
}

// grantForm writes the grant of plugin p at one tenant.
function grantForm(ctx, p, status) {
  const { t, gql } = ctx;
  const tenant = h("input#grant-tenant", { name: "/metadata/tenant", required: true, placeholder: "230102", autocomplete: "off", size: 12 });
  const caps = (p.capabilities || []).map(c => h("label.check", h("input", { type: "checkbox", name: "capability", value: c, checked: true }), " ", t("plugins.cap." + c), h("span.code", c)));
  const asked = (p.permissions || []).map(x => h("label.check", h("input", { type: "checkbox", name: "permission", value: x }), " ", h("code", x)));
  const form = h("form#grant-form.resource-form", { novalidate: true },
    h("div.field", { dataset: { path: "/metadata/tenant" } }, h("label", { for: "grant-tenant" }, t("resources.tenant"), h("span.req", " *")), tenant, h("div.field-error", { role: "alert" })),
    h("div.field", { dataset: { path: "/spec/capabilities" } }, h("label", t("plugins.capabilities"), h("span.help", { title: t("plugins.capsHelp") }, " ⓘ")),
      h("div.checks", caps), h("div.field-error", { role: "alert" })),
    h("div.field", { dataset: { path: "/spec/permissions" } }, h("label", t("plugins.permissions")),
      asked.length ? h("div.checks", asked) : h("p.muted", t("plugins.noPermissions")), h("div.field-error", { role: "alert" })),
    h("div.buttons", h("button#grant-submit", { type: "submit" }, t("plugins.grant"))));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    clearFieldErrors(form);
    status.replaceChildren();
    const code = tenant.value.trim();
    const checked = name => [...form.querySelectorAll(`input[name=${name}]:checked`)].map(x => x.value);
    const obj = { apiVersion: "gdbos.io/v1", kind: KIND, metadata: { tenant: code, name: p.id }, spec: specOf(checked("capability"), checked("permission")) };
    try {
      await gql("mutation($o:[JSON!]){ applyResources(objects:$o){ op resource{ version } } }", { o: [obj] });
      rerender();
    } catch (e) {
      const rest = e.fields && e.fields.length ? showFieldErrors(form, e.fields, f => [f.message, " ", h("code.code", e.code)]) : [];
      status.append(errorBox(e));
      rest.forEach(f => status.append(h("p.error", f.path + ": " + f.message)));
    }
  });
  return form;
}

// checkForm says what is in force for the plugin at any tenant: a grant there or
// inherited from above, withdrawn, or none.
function checkForm(ctx, id) {
  const { t, gqlAll } = ctx;
  const input = h("input#check-tenant", { name: "tenant", required: true, placeholder: "230103", size: 12, autocomplete: "off" });
  const out = h("div#check-result", { role: "status" });
  const form = h("form#grant-check.toolbar", h("label", t("plugins.checkAt"), " ", input), h("button", { type: "submit" }, t("plugins.check")), out);
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const code = input.value.trim();
    out.replaceChildren();
    try {
      const r = await gqlAll(`query($t:String!,$n:String!){ tenant(code:$t){ name } effectiveResource(kind:"${KIND}", tenant:$t, name:$n){ spec layers } }`, { t: code, n: id });
      const eff = r.data.effectiveResource;
      const refusal = r.errors.find(e => e.code !== "NOT_FOUND");
      if (refusal) { out.append(errorBox(refusal)); return; }
      if (!r.data.tenant) { out.append(h("p.error", t("tenant.notfound", { code }))); return; }
      const caps = eff ? eff.spec.capabilities || [] : [];
      const where = r.data.tenant.name + " " + code;
      out.append(caps.length
        ? h("p.ok", { dataset: { granted: "true" } }, t("plugins.grantedAt", { tenant: where, from: eff.layers.join(" → ") }), " ", caps.map(c => h("span.badge.cap", t("plugins.cap." + c))),
          perms(eff.spec).map(x => h("span.badge.perm", x)))
        : h("p.warn", { dataset: { granted: "false" } }, t(eff ? "plugins.withdrawnAt" : "plugins.notGrantedAt", { tenant: where })));
    } catch (e) { out.append(errorBox(e)); }
  });
  return form;
}
