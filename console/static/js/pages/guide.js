// The service guide (办事指南) of an implementation as a citizen sees it: the public
// page the server publishes without sign-in, framed, with a link to it and print.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields } from "../catalognav.js";

export async function render(ctx) {
  const { t, gqlAll, params } = ctx;
  const r = await gqlAll(`query($t:String!,$c:String!){ tenant(code:$t){ ${tenantFields} }
      impl: serviceImplementation(tenant:$t, code:$c){ tenant code name implementingBody } }`, { t: params.tenant, c: params.code });
  const tn = r.data.tenant;
  if (!tn) throw r.errors[0] || new Error(t("tenant.notfound", { code: params.tenant }));
  const im = r.data.impl;
  const head = await header(ctx, tn, "implementations", t("catalog.guide.title", { name: im ? im.name : params.code }));
  if (!im) return h("section.guide", head, r.errors.map(errorBox), h("p.warn", t("catalog.impl.none", { code: params.code, tenant: tn.name })));
  const url = `/modules/catalog/guide/${encodeURIComponent(tn.code)}/${encodeURIComponent(im.code)}`;
  const frame = h("iframe#guide-frame", { src: url, title: t("catalog.guide.title", { name: im.name }) });
  return h("section.guide",
    head,
    h("p.muted", t("catalog.guide.public"), " ", h("a#guide-public", { href: url, target: "_blank", rel: "noopener" }, location.origin + url)),
    h("div.toolbar",
      h("a.button", { href: `#/implementations/${tn.code}/${im.code}` }, t("catalog.guide.back")),
      h("button#guide-print", { type: "button", on: { click: () => frame.contentWindow.print() } }, t("catalog.guide.print"))),
    frame);
}
