// One resource at one tenant: a form generated from its kind's JSON Schema, its YAML,
// its history with diffs and revert, and where each effective field comes from.
import { h } from "../dom.js";
import { errorBox, fmtValue, fmtTime } from "../ui.js";
import { buildForm, showFieldErrors, clearFieldErrors, FieldError } from "../form.js";
import { lang } from "../i18n.js";

const FIELDS = "kind tenant name apiVersion labels spec locks version updatedBy updatedAt yaml";

export async function render(ctx) {
  const { t, gqlAll, params, query } = ctx;
  const isNew = !params.name;
  const kind = params.kind, tenant = params.tenant;
  const name = params.name || "";
  const tab = query.get("tab") || "form";
  const vars = { k: kind, t: tenant, n: name };
  const r = await gqlAll(`query(${isNew ? "$t:String!" : "$k:String!,$t:String!,$n:String!"}){
      kinds{ name inheritable schema }
      tenant(code:$t){ code name }
      ${isNew ? "" : `resource(kind:$k, tenant:$t, name:$n){ ${FIELDS} }
      effectiveResource(kind:$k, tenant:$t, name:$n){ spec layers locks{ path tenant } }
      explainResource(kind:$k, tenant:$t, name:$n){ path value tenant status lockedBy description shadowed{ tenant value } }`}
    }`, isNew ? { t: tenant } : vars);
  const k = (r.data.kinds || []).find(x => x.name === kind);
  if (!k) throw r.errors[0] || new Error(t("resources.nokind", { kind }));
  const res = r.data.resource;
  const explain = r.data.explainResource || [];
  const [mayWrite, mayDelete] = await ctx.can(tenant, [[kind, "write"], [kind, "delete"]]);
  const refusal = r.errors.find(e => e.code !== "NOT_FOUND");

  const base = "#/r/" + kind + "/" + tenant + "/" + name;
  const tabs = isNew ? [] : ["form", "yaml", "history", k.inheritable ? "inheritance" : null].filter(Boolean);
  const title = h("h2", kind + " / ", isNew ? t("resources.new") : name, h("span.muted", " @ "),
    h("a", { href: "#/tenants/" + tenant }, r.data.tenant ? r.data.tenant.name : tenant), h("span.code", tenant),
    res ? h("span.badge", "v" + res.version) : (isNew ? null : h("span.badge.inherited", t("resources.nolayer"))));
  const body = h("div.tab-body");
  const view = h("section.resource", { dataset: { kind, tenant, name } },
    h("nav.crumbs", h("a", { href: `#/resources/${kind}/${tenant}` }, t("resources.list", { kind })), " / ", name || t("resources.new")),
    title,
    refusal ? errorBox(refusal) : null,
    tabs.length ? h("nav.tabs", tabs.map(x => h("a", { href: base + "?tab=" + x, class: x === tab ? "active" : null, id: "tab-" + x }, t("tab." + x)))) : null,
    body);

  if (tab === "form" || isNew) body.append(formTab(ctx, k, res, explain, isNew, mayWrite, mayDelete));
  else if (tab === "yaml") body.append(yamlTab(ctx, res, mayWrite));
  else if (tab === "history") body.append(await historyTab(ctx, vars, mayWrite));
  else if (tab === "inheritance") body.append(inheritanceTab(ctx, r.data.effectiveResource, explain));
  return view;
}

function formTab(ctx, k, res, explain, isNew, mayWrite, mayDelete) {
  const { t, gql, params } = ctx;
  // Beside each field: where the value in force comes from, and a lock from above.
  const hints = {};
  for (const o of explain) {
    const here = o.tenant === params.tenant;
    const badge = o.status === "locked" && o.lockedBy !== params.tenant
      ? h("span.badge.locked", t("explain.lockedBy", { tenant: o.lockedBy }))
      : h("span.badge." + o.status, here ? t("explain." + o.status) : t("explain.from", { tenant: o.tenant }));
    hints[o.path] = h("div.origin", badge, here ? null : h("span.muted", " " + t("explain.value") + ": " + fmtValue(o.value)));
  }
  const spec = res ? res.spec : {};
  const form = buildForm(JSON.parse(k.schema ? JSON.stringify(k.schema) : "{}"), spec, "/spec", hints);
  const nameInput = isNew ? h("div.field", { dataset: { path: "/metadata/name" } },
    h("label", t("resources.name"), h("span.req", " *")), h("input#resource-name", { name: "/metadata/name", required: true }), h("div.field-error", { role: "alert" })) : null;
  const locksInput = k.inheritable ? h("div.field", { dataset: { path: "/locks" } },
    h("label", t("resources.locks"), h("span.help", { title: t("resources.locksHelp") }, " ⓘ")),
    h("textarea#locks", { rows: 2, placeholder: "/enabled" }, (res ? res.locks : []).join("\n")), h("div.field-error", { role: "alert" })) : null;
  const status = h("div.status", { role: "status" });
  const el = h("form.resource-form", { novalidate: true }, nameInput, form.el, locksInput, status);

  const object = () => ({
    apiVersion: res ? res.apiVersion : "gdbos.io/v1",
    kind: k.name,
    metadata: { tenant: params.tenant, name: isNew ? el.querySelector("#resource-name").value.trim() : params.name, ...(res && res.labels ? { labels: res.labels } : {}) },
    spec: form.value() || {},
    ...(locksInput ? { locks: el.querySelector("#locks").value.split(/[\s,]+/).filter(Boolean) } : {}),
  });

  async function apply(dryRun) {
    clearFieldErrors(el);
    status.replaceChildren();
    let obj;
    try { obj = object(); } catch (e) {
      if (e instanceof FieldError) { showFieldErrors(el, [{ path: e.path, message: e.message }]); return; }
      throw e;
    }
    try {
      const d = await gql(`mutation($o:[JSON!], $d:Boolean){ applyResources(objects:$o, dryRun:$d){ op diff{ op path old new } resource{ name version } } }`, { o: [obj], d: dryRun });
      const a = d.applyResources[0];
      status.append(h("p.ok", t(dryRun ? "resources.dryrun" : "resources.saved", { op: t("op." + a.op), version: a.resource.version })),
        diffTable(t, a.diff));
      if (!dryRun && isNew) location.hash = `#/r/${k.name}/${params.tenant}/${a.resource.name}`;
    } catch (e) {
      const rest = e.fields && e.fields.length
        ? showFieldErrors(el, e.fields, f => e.code === "LOCKED"
          ? [h("strong", t("lock.refused", { tenant: e.lockedBy })), " ", f.message, " ", h("code.code", e.code)]
          : [f.message, " ", h("code.code", e.code)])
        : [];
      status.append(errorBox(e));
      rest.forEach(f => status.append(h("p.error", f.path + ": " + f.message)));
    }
  }
  const buttons = h("div.buttons");
  if (mayWrite !== false) {
    buttons.append(h("button#save", { type: "submit" }, t(isNew ? "resources.create" : (res ? "form.save" : "resources.override"))),
      h("button#dryrun", { type: "button", on: { click: () => apply(true) } }, t("form.dryrun")));
  } else {
    el.querySelectorAll("input,select,textarea,button").forEach(x => { x.disabled = true; });
    buttons.append(h("p.muted", t("resources.readonly")));
  }
  if (res && mayDelete !== false) {
    buttons.append(h("button.danger#delete", { type: "button", on: { click: async () => {
      if (!confirm(t("resources.confirmDelete", { name: params.name }))) return;
      try {
        await gql("mutation($k:String!,$t:String!,$n:String!){deleteResource(kind:$k,tenant:$t,name:$n)}", { k: k.name, t: params.tenant, n: params.name });
        location.hash = `#/resources/${k.name}/${params.tenant}`;
      } catch (e) { status.replaceChildren(errorBox(e)); }
    } } }, t("form.delete")));
  }
  el.insertBefore(buttons, status);
  el.addEventListener("submit", ev => { ev.preventDefault(); apply(false); });
  return el;
}

function yamlTab(ctx, res, mayWrite) {
  const { t, gql } = ctx;
  if (!res) return h("p.muted", t("resources.nolayer"));
  const area = h("textarea#yaml.yaml", { rows: 20, spellcheck: false, readOnly: mayWrite === false }, res.yaml);
  const status = h("div.status", { role: "status" });
  const apply = async dryRun => {
    status.replaceChildren();
    try {
      const d = await gql(`mutation($y:String!,$d:Boolean){ applyResources(yaml:$y, dryRun:$d){ op diff{ op path old new } resource{ version } } }`, { y: area.value, d: dryRun });
      const a = d.applyResources[0];
      status.append(h("p.ok", t(dryRun ? "resources.dryrun" : "resources.saved", { op: t("op." + a.op), version: a.resource.version })), diffTable(t, a.diff));
    } catch (e) {
      status.append(errorBox(e));
      if (e.fields && e.fields.length) status.append(h("ul.errors", e.fields.map(f => h("li", h("code", f.path), " ", f.message))));
    }
  };
  return h("div", area, mayWrite === false ? null : h("div.buttons",
    h("button", { type: "button", on: { click: () => apply(false) } }, t("form.save")),
    h("button", { type: "button", on: { click: () => apply(true) } }, t("form.dryrun"))), status);
}

async function historyTab(ctx, vars, mayWrite) {
  const { t, gql } = ctx;
  const d = await gql(`query($k:String!,$t:String!,$n:String!){ resourceHistory(kind:$k, tenant:$t, name:$n, first:50){ nodes{ version op author createdAt deleted } } }`, vars);
  const versions = d.resourceHistory.nodes;
  const out = h("div.diff");
  const show = async (from, to) => {
    try {
      const x = await gql(`query($k:String!,$t:String!,$n:String!,$f:Int!,$to:Int!){ resourceDiff(kind:$k, tenant:$t, name:$n, from:$f, to:$to){ op path old new } }`, { ...vars, f: from, to });
      out.replaceChildren(h("h3", t("history.diff", { from, to })), diffTable(t, x.resourceDiff));
    } catch (e) { out.replaceChildren(errorBox(e)); }
  };
  const table = h("table#history",
    h("tr", h("th", t("resources.version")), h("th", t("history.op")), h("th", t("audit.actor")), h("th", t("audit.time")), h("th", "")),
    versions.map((v, i) => h("tr",
      h("td", "v" + v.version), h("td", t("op." + v.op), v.deleted ? h("span.badge.locked", t("history.deleted")) : null), h("td", v.author || ""), h("td", fmtTime(v.createdAt, lang)),
      h("td",
        versions[i + 1] ? h("button", { type: "button", on: { click: () => show(versions[i + 1].version, v.version) } }, t("history.showDiff")) : null,
        i > 0 && mayWrite !== false ? h("button", { type: "button", on: { click: async () => {
          if (!confirm(t("history.confirmRevert", { version: v.version }))) return;
          try {
            const r = await gql(`mutation($k:String!,$t:String!,$n:String!,$v:Int!){ revertResource(kind:$k, tenant:$t, name:$n, version:$v){ version } }`, { ...vars, v: v.version });
            location.hash = `#/r/${vars.k}/${vars.t}/${vars.n}?tab=history&v=${r.revertResource.version}`;
          } catch (e) { out.replaceChildren(errorBox(e)); }
        } } }, t("history.revert", { version: v.version })) : null))));
  if (versions.length > 1) await show(versions[1].version, versions[0].version);
  return h("div", table, out);
}

function inheritanceTab(ctx, eff, explain) {
  const { t, params } = ctx;
  return h("div",
    eff ? h("p", t("explain.layers"), " ", eff.layers.map((l, i) => [i ? " → " : "", h("a", { href: `#/r/${params.kind}/${l}/${params.name}` }, l)])) : null,
    h("table#explain",
      h("tr", h("th", t("explain.path")), h("th", t("explain.value")), h("th", t("explain.status")), h("th", t("explain.tenant")), h("th", t("explain.shadowed"))),
      explain.map(o => h("tr", { dataset: { path: o.path, status: o.status } },
        h("td", h("code", o.path)), h("td", fmtValue(o.value)),
        h("td", h("span.badge." + o.status, t("explain." + o.status)), o.lockedBy ? h("span.muted", " " + t("explain.lockedBy", { tenant: o.lockedBy })) : null),
        h("td", h("a", { href: "#/tenants/" + o.tenant }, o.tenant)),
        h("td", o.shadowed.map(s => h("div", s.tenant + ": " + fmtValue(s.value))))))));
}

function diffTable(t, diff) {
  if (!diff || !diff.length) return h("p.muted", t("history.nodiff"));
  return h("table.difftable",
    h("tr", h("th", t("explain.path")), h("th", t("history.op")), h("th", t("history.old")), h("th", t("history.new"))),
    diff.map(x => h("tr", { class: "d-" + x.op }, h("td", h("code", x.path)), h("td", x.op), h("td.old", x.op === "add" ? "" : fmtValue(x.old)), h("td.new", x.op === "remove" ? "" : fmtValue(x.new)))));
}
