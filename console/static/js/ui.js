// Pieces pages share: refusals as the server gave them, a JSON pointer helper, a
// tenant's place in the tree.
import { APIError } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

// errorBox shows an error's message and, for the server's refusals, its code.
export function errorBox(e) {
  const box = h("p.error", { role: "alert" });
  if (e instanceof APIError) {
    box.append(e.message, " ", h("code.code", e.code));
    if (e.reason && !e.message.includes(e.reason)) box.append(h("span.muted", " " + e.reason));
  } else box.append(String((e && e.message) || e));
  return box;
}

export function fmtValue(v) {
  if (v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function fmtTime(s, lang) {
  if (!s) return "";
  return new Date(s).toLocaleString(lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
}

// tenantCrumbs is a tenant's place in the tree (tn with its ancestors and children):
// links to its ancestors, its name and code, and a choice among its children; href
// gives a tenant's address on the page at hand.
export function tenantCrumbs(tn, href) {
  const pick = h("select.child-tenant", { "aria-label": t("tenant.below"), on: { change: ev => { if (ev.target.value) location.hash = href(ev.target.value); } } },
    h("option", { value: "" }, t("tenant.below")),
    tn.children.map(c => h("option", { value: c.code }, c.name + " " + c.code)));
  return h("nav.crumbs", tn.ancestors.map(a => [h("a", { href: href(a.code) }, a.name), " / "]),
    h("strong", tn.name), h("span.code", tn.code), tn.children.length ? [" ", pick] : null);
}
