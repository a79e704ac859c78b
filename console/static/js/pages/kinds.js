// Every resource kind the server knows, with where to list it.
import { h } from "../dom.js";

export async function render({ t, gql, can, roots, query }) {
  const d = await gql("{ kinds{ name apiVersion inheritable schema } }");
  const tenant = query.get("tenant") || (roots[0] && roots[0].code) || "";
  // Kinds the user may not read here are not offered (unknown ones are).
  const readable = tenant ? await can(tenant, d.kinds.map(k => [k.name, "read"])) : d.kinds.map(() => null);
  const kinds = d.kinds.filter((_, i) => readable[i] !== false);
  const input = h("input#kinds-tenant", { value: tenant, "aria-label": t("resources.tenant"), size: 12 });
  input.addEventListener("change", () => { location.hash = "#/resources?tenant=" + encodeURIComponent(input.value.trim()); });
  return h("section",
    h("h2", t("resources.kinds")),
    h("label", t("resources.tenant"), " ", input),
    h("table#kinds",
      h("tr", h("th", t("resources.kind")), h("th", t("resources.inheritable")), h("th", t("resources.description"))),
      kinds.map(k => h("tr",
        h("td", h("a", { href: `#/resources/${k.name}/${tenant}` }, k.name)),
        h("td", k.inheritable ? t("yes") : t("no")),
        h("td.muted", (k.schema && (k.schema.description || k.schema.title)) || "")))));
}
