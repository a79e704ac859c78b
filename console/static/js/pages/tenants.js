// The tenant tree (province → township), expanded on demand, with a search on code and name.
import { h } from "../dom.js";

export async function render({ t, gql, roots }) {
  const tree = h("ul.tree", { role: "tree" }, roots.map(r => node(r, gql, t)));
  const results = h("ul.results");
  const input = h("input#tenant-search", { type: "search", placeholder: t("tenants.search"), "aria-label": t("tenants.search") });
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) { results.replaceChildren(); tree.hidden = false; return; }
      const d = await gql("query($s:String!){tenants(search:$s, first:50){totalCount nodes{code name level path}}}", { s: q });
      tree.hidden = true;
      results.replaceChildren(
        h("li.muted", t("tenants.found", { n: d.tenants.totalCount })),
        ...d.tenants.nodes.map(n => h("li", h("a", { href: "#/tenants/" + n.code }, n.name), h("span.code", n.code), h("span.muted", t("level." + n.level)))));
    }, 200);
  });
  return h("section",
    h("h2", t("tenants.title")),
    input, results, tree);
}

function node(tn, gql, t) {
  const children = h("ul", { role: "group" });
  const toggle = h("button.toggle", { type: "button", "aria-expanded": "false", "aria-label": t("tenants.expand") + " " + tn.name }, "▸");
  const li = h("li", { role: "treeitem", dataset: { code: tn.code } },
    tn.level === "township" ? h("span.toggle") : toggle,
    h("a", { href: "#/tenants/" + tn.code }, tn.name), h("span.code", tn.code), h("span.muted", t("level." + tn.level)),
    children);
  toggle.addEventListener("click", async () => {
    if (toggle.getAttribute("aria-expanded") === "true") {
      children.replaceChildren();
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = "▸";
      return;
    }
    const d = await gql("query($c:String!){tenant(code:$c){children{code name level}}}", { c: tn.code });
    children.replaceChildren(...d.tenant.children.map(c => node(c, gql, t)));
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = "▾";
  });
  return li;
}
