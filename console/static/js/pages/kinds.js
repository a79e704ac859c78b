// Every resource kind the server knows, with where to list it.
import { h } from "../dom.js";

export async function render({ t, gql, roots, query }) {
  const d = await gql("{ kinds{ name apiVersion inheritable schema } }");
  const tenant = query.get("tenant") || (roots[0] && roots[0].code) || "";
  const input = h("input#kinds-tenant", { value: tenant, "aria-label": t("resources.tenant"), size: 12 });
  input.addEventListener("change", () => { location.hash = "#/resources?tenant=" + encodeURIComponent(input.value.trim()); });
  return h("section",
    h("h2", t("resources.kinds")),
    h("label", t("resources.tenant"), " ", input),
    h("table#kinds",
      h("tr", h("th", t("resources.kind")), h("th", t("resources.inheritable")), h("th", t("resources.description"))),
      d.kinds.map(k => h("tr",
        h("td", h("a", { href: `#/resources/${k.name}/${tenant}` }, k.name)),
        h("td", k.inheritable ? t("yes") : t("no")),
        h("td.muted", (k.schema && (k.schema.description || k.schema.title)) || "")))));
}
