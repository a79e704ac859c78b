// The security administrator's view: who holds which of the three administrator
// duties (三员), the identity providers people sign in through, the user's own API
// tokens, and — for whoever may read the audit log — refused requests. Each part is
// offered only when the user may read it.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";
import { card, refusal } from "./people-common.js";

const duties = ["system-admin", "security-admin", "audit-admin"];

export async function render(ctx) {
  const { t, gqlAll, can } = ctx;
  const roots = ctx.roots.map(r => r.code);
  const answers = await Promise.all(roots.map(c => can(c, [["RoleBinding", "read"], ["IdentityProvider", "read"], ["IdentityProvider", "write"], ["audit", "read"]])));
  const at = i => roots.filter((_, j) => answers[j][i] !== false);
  const [bindingRoots, idpRoots, idpWrite, auditRoots] = [at(0), at(1), at(2), at(3)];
  const r = await gqlAll(`{
      ${bindingRoots.map((c, i) => `b${i}: roleBindings(tenant:"${c}", first:500){ nodes{ tenant name spec } }`).join(" ")}
      ${idpRoots.map((c, i) => `p${i}: resources(kind:"IdentityProvider", tenant:"${c}", subtree:true, first:200){ nodes{ tenant name spec } }`).join(" ")}
      ${auditRoots.map((c, i) => `d${i}: auditEntries(tenant:"${c}", outcome:"denied", first:20){ totalCount nodes{ id time actor action tenant target detail } }`).join(" ")}
      tokens{ id name tenant scopes createdAt expiresAt revoked }
    }`);
  const list = (p, n) => Array.from({ length: n }, (_, i) => r.data[p + i]).filter(Boolean);

  const holders = list("b", bindingRoots.length).flatMap(c => c.nodes).filter(b => duties.includes(b.spec.role));
  const dutyCard = bindingRoots.length ? card(t("people.sec.duties"), h("table#duties",
    h("tr", h("th", t("people.sec.duty")), h("th", t("people.sec.holders")), h("th", t("people.sec.boundAt"))),
    duties.map(d => {
      const bs = holders.filter(b => b.spec.role === d);
      return h("tr", { dataset: { duty: d } }, h("td", t("people.duty." + d), h("div.muted", d)),
        h("td", bs.length ? bs.flatMap(b => b.spec.subjects.map(s => s.name)).join(", ") : h("span.error", t("people.sec.vacant"))),
        h("td", bs.map(b => h("div", h("a", { href: `#/r/RoleBinding/${b.tenant}/${b.name}` }, b.tenant + "/" + b.name)))));
    })), h("p.muted", t("people.sec.dutiesHelp"))) : null;

  const idps = list("p", idpRoots.length).flatMap(c => c.nodes);
  const idpCard = idpRoots.length ? card(t("people.sec.idps"),
    idps.length ? h("table#idps",
      h("tr", ["name", "title", "tenant", "issuer", "provision", "groups"].map(k => h("th", t("people.idp." + k)))),
      idps.map(p => h("tr",
        h("td", h("a", { href: `#/r/IdentityProvider/${p.tenant}/${p.name}` }, p.name)), h("td", p.spec.title || ""), h("td.code", p.tenant),
        h("td.code", p.spec.issuer), h("td", p.spec.provision ? t("yes") : t("no")),
        h("td", (p.spec.groupBindings || []).map(g => h("div", g.group + " → " + g.role + (g.tenant ? " @" + g.tenant : "")))))))
      : h("p.muted", t("people.sec.noIdps")),
    idpWrite.length ? h("a.button", { href: "#/new/IdentityProvider/" + idpWrite[0] }, t("people.sec.newIdp")) : null) : null;

  const denied = list("d", auditRoots.length);
  const deniedCard = auditRoots.length ? card(t("people.sec.denied"),
    h("p.muted", t("people.count", { n: denied.reduce((n, c) => n + c.totalCount, 0) })),
    h("table#denied",
      h("tr", ["time", "actor", "action", "tenant", "target"].map(k => h("th", t("audit." + k))), h("th", t("people.sec.reason"))),
      denied.flatMap(c => c.nodes).map(e => h("tr.o-denied",
        h("td", fmtTime(e.time, lang)), h("td", e.actor), h("td", e.action), h("td", e.tenant || ""), h("td", e.target || ""),
        h("td", (e.detail && e.detail.reason) || "")))),
    h("a", { href: "#/audit?outcome=denied" }, t("people.sec.allDenied"))) : null;

  return h("section.people.security",
    h("h2", t("people.sec.title")),
    r.errors.map(errorBox),
    h("div.grid", dutyCard, idpCard),
    tokensCard(ctx, r.data.tokens || []),
    deniedCard);
}

// tokensCard lists the user's own API tokens, revokes them, and creates one,
// showing its secret once.
function tokensCard(ctx, tokens) {
  const { t, gql } = ctx;
  const st = h("div.status", { role: "status" });
  const rerender = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
  const form = h("form#token-create.toolbar",
    h("label", t("people.token.name"), " ", h("input", { name: "name", required: true, size: 12 })),
    h("label", t("people.token.tenant"), " ", h("input", { name: "tenant", size: 10, value: ctx.roots[0] ? ctx.roots[0].code : "" })),
    h("label", t("people.token.scopes"), " ", h("input", { name: "scopes", size: 18, placeholder: "tenants:read" })),
    h("label", t("people.token.hours"), " ", h("input", { name: "hours", type: "number", min: 0, value: 720, size: 5 })),
    h("button", { type: "submit" }, t("people.create")));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    st.replaceChildren();
    const f = new FormData(form);
    try {
      const d = await gql(`mutation($n:String!,$t:String,$s:[String!],$h:Int){ createToken(name:$n, tenant:$t, scopes:$s, expiresInHours:$h){ secret apiToken{ id } } }`,
        { n: f.get("name"), t: f.get("tenant") || null, s: String(f.get("scopes")).split(/[\s,]+/).filter(Boolean), h: Number(f.get("hours")) });
      st.append(h("p.ok", t("people.token.secret"), " ", h("code#token-secret", d.createToken.secret)));
    } catch (e) { st.append(refusal(e)); }
  });
  return card(t("people.sec.tokens"),
    tokens.length ? h("table#tokens",
      h("tr", ["name", "tenant", "scopes", "createdAt", "expiresAt", "state"].map(k => h("th", t("people.token." + k))), h("th")),
      tokens.map(k => {
        const cellSt = h("span");
        return h("tr", { class: k.revoked ? "disabled" : null },
          h("td", k.name), h("td.code", k.tenant || "*"), h("td", k.scopes.join(" ") || t("people.token.all")),
          h("td", fmtTime(k.createdAt, lang)), h("td", k.expiresAt ? fmtTime(k.expiresAt, lang) : t("people.token.never")),
          h("td", k.revoked ? t("people.token.revoked") : t("people.token.live")),
          h("td", k.revoked ? null : h("button", { type: "button", on: { click: async () => {
            try { await gql(`mutation($i:Int!){ revokeToken(id:$i) }`, { i: k.id }); rerender(); } catch (e) { cellSt.replaceChildren(refusal(e)); }
          } } }, t("people.token.revoke")), cellSt));
      })) : h("p.muted", t("people.token.none")),
    h("h4", t("people.token.create")), form, st);
}
