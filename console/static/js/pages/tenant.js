// A tenant's page: where it sits, its children, the modules in force, the
// administrators bound here or above, the resources defined here and recent changes.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang, t as tr } from "../i18n.js";

export async function render({ t, gql, gqlAll, can, params }) {
  const d = await gql(`query($c:String!){ tenant(code:$c){ code name level path status successor
      ancestors{ code name } children{ code name level } } kinds{ name } }`, { c: params.code });
  const tn = d.tenant;
  if (!tn) throw new Error(t("tenant.notfound", { code: params.code }));
  const tiers = [...tn.ancestors.map(a => a.code), tn.code];
  const kinds = d.kinds.map(k => k.name);

  // One request for what each tier defines: modules and bindings along the path, and
  // every kind's layers here (for "recent changes" when the audit log is not ours to read).
  const parts = tiers.flatMap((c, i) => [
    `m${i}: resources(kind:"Module", tenant:"${c}", first:100){ nodes{ name } }`,
    `b${i}: roleBindings(tenant:"${c}", first:100){ nodes{ tenant name spec } }`,
  ]).concat(kinds.map((k, i) => `k${i}: resources(kind:${JSON.stringify(k)}, tenant:"${tn.code}", first:100){ totalCount nodes{ kind name version updatedBy updatedAt } }`));
  const r1 = await gqlAll(`{ ${parts.join("\n")} }`);
  const moduleNames = [...new Set(tiers.flatMap((_, i) => (r1.data["m" + i]?.nodes || []).map(n => n.name)))].sort();
  const bindings = tiers.flatMap((_, i) => r1.data["b" + i]?.nodes || []);

  let modules = [];
  if (moduleNames.length) {
    const r2 = await gqlAll(`query($t:String!){ ${moduleNames.map((n, i) =>
      `e${i}: effectiveResource(kind:"Module", tenant:$t, name:${JSON.stringify(n)}){ name spec layers locks{ path tenant } }`).join(" ")} }`, { t: tn.code });
    modules = moduleNames.map((n, i) => r2.data["e" + i]).filter(Boolean);
  }

  const here = kinds.map((k, i) => ({ kind: k, conn: r1.data["k" + i] })).filter(x => x.conn);
  // Ask the audit log only when the user may read it (or the API does not say):
  // a refused read is itself an audit entry.
  const [mayAudit] = await can(tn.code, [["audit", "read"]]);
  const changes = await recentChanges(gqlAll, tn.code, here, mayAudit !== false);

  return h("section.tenant",
    h("nav.crumbs", h("a", { href: "#/tenants" }, t("tenants.title")), tn.ancestors.map(a => [" / ", h("a", { href: "#/tenants/" + a.code }, a.name)]), " / ", h("strong", tn.name)),
    h("h2#tenant-name", tn.name, h("span.code", tn.code), h("span.muted", t("level." + tn.level))),
    tn.status !== "active" ? h("p.warn", t("tenant.status", { status: tn.status, successor: tn.successor || "" })) : null,
    h("div.grid",
      card(t("tenant.children"), tn.children.length ? h("ul", tn.children.map(c => h("li", h("a", { href: "#/tenants/" + c.code }, c.name), h("span.code", c.code)))) : h("p.muted", t("tenant.nochildren"))),
      card(t("tenant.modules"), modules.length ? h("table",
        h("tr", h("th", t("tenant.module")), h("th", t("tenant.enabled")), h("th", t("tenant.layers"))),
        modules.map(m => h("tr",
          h("td", h("a", { href: `#/r/Module/${tn.code}/${m.name}` }, m.name)),
          h("td", m.spec && m.spec.enabled ? "✔ " + t("yes") : "✘ " + t("no"), m.locks.some(l => l.path === "/enabled") ? h("span.badge.locked", t("explain.locked")) : null),
          h("td.muted", m.layers.join(" → "))))) : h("p.muted", t("tenant.nomodules"))),
      card(t("tenant.admins"), bindings.length ? h("table",
        h("tr", h("th", t("tenant.subjects")), h("th", t("tenant.role")), h("th", t("tenant.boundAt"))),
        bindings.map(b => h("tr",
          h("td", (b.spec.subjects || []).map(s => s.name).join(", ")),
          h("td", h("a", { href: `#/r/Role/${b.spec.roleTenant || b.tenant}/${b.spec.role}` }, b.spec.role)),
          h("td", h("a", { href: `#/r/RoleBinding/${b.tenant}/${b.name}` }, b.tenant))))) : h("p.muted", t("tenant.noadmins"))),
      card(t("tenant.resources"), h("ul.kinds", here.map(x => h("li", h("a", { href: `#/resources/${x.kind}/${tn.code}` }, x.kind), h("span.muted", " " + x.conn.totalCount))))),
    ),
    card(t("tenant.changes"), changes));
}

function card(title, ...body) {
  return h("div.card", h("h3", title), ...body);
}

async function recentChanges(gqlAll, code, here, askAudit) {
  const t = tr;
  const r = askAudit ? await gqlAll(`query($t:String!){ auditEntries(tenant:$t, first:10){ nodes{ id time actor action target outcome } } }`, { t: code }) : { data: {}, errors: [] };
  if (r.data.auditEntries) {
    const list = r.data.auditEntries.nodes;
    return list.length ? h("table#changes",
      h("tr", h("th", t("audit.time")), h("th", t("audit.actor")), h("th", t("audit.action")), h("th", t("audit.target")), h("th", t("audit.outcome"))),
      list.map(e => h("tr", h("td", fmtTime(e.time, lang)), h("td", e.actor), h("td", e.action), h("td", e.target || ""), h("td", e.outcome)))) : h("p.muted", t("tenant.nochanges"));
  }
  // The audit log is refused to this user: show the newest resource versions stored here instead.
  const recent = here.flatMap(x => x.conn.nodes).filter(n => n.updatedAt).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, 10);
  return h("div",
    h("p.muted", t("tenant.changesFromResources")), r.errors[0] ? errorBox(r.errors[0]) : null,
    recent.length ? h("table#changes",
      h("tr", h("th", t("audit.time")), h("th", t("audit.actor")), h("th", t("resources.resource")), h("th", t("resources.version"))),
      recent.map(n => h("tr", h("td", fmtTime(n.updatedAt, lang)), h("td", n.updatedBy || ""),
        h("td", h("a", { href: `#/r/${n.kind}/${code}/${n.name}` }, n.kind + "/" + n.name)), h("td", "v" + n.version)))) : h("p.muted", t("tenant.nochanges")));
}
