// The devolution wizard (下放): 1. choose items implemented at this tenant, 2. choose
// tenants below it and the body that implements them there, 3. preview what would
// move and what would be refused and why (devolveItems with dryRun), 4. confirm →
// the devolution's report, from which it can be undone.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { header, tenantFields, defaultTenant } from "../catalognav.js";

const implQ = `query($t:String!,$c:String,$a:String){ serviceImplementations(tenant:$t, category:$c, first:50, after:$a){
  totalCount pageInfo{ hasNextPage endCursor } nodes{ code name category implementingBody status } } }`;

export async function render(ctx) {
  const { t, gql, gqlAll, query } = ctx;
  const tenant = ctx.params.tenant || defaultTenant(ctx);
  const d = await gql(`query($t:String!){ tenant(code:$t){ ${tenantFields} } }`, { t: tenant });
  const tn = d.tenant;
  if (!tn) throw new Error(t("tenant.notfound", { code: tenant }));
  const head = await header(ctx, tn, "devolve", t("catalog.dev.title"));
  const [mayWrite] = await ctx.can(tenant, [["catalog", "write"]]);
  if (mayWrite === false) return h("section.devolve", head, h("p.warn", t("catalog.dev.notAllowed")));

  const chosen = new Map(); // code → {name, category}
  const targets = new Map(); // tenant → {bodyName, creditCode, department}
  const chosenBox = h("div#dev-chosen");
  const itemsBox = h("div#dev-items");
  const targetsBox = h("div#dev-targets");
  const previewBox = h("div#dev-preview");
  let cursor = null;
  let category = "";

  const showChosen = () => chosenBox.replaceChildren(chosen.size
    ? h("ul.chips", [...chosen].map(([code, it]) => h("li", it.name, h("span.code", code),
      h("button.chip-x", { type: "button", "aria-label": t("catalog.dev.remove"), on: { click: () => { chosen.delete(code); showChosen(); reload(cursor); } } }, "×"))))
    : h("p.muted", t("catalog.dev.noneChosen")));

  // reload shows a page of items; a failure shows in place of the list.
  const reload = after => loadItems(after).catch(e => itemsBox.replaceChildren(errorBox(e)));
  async function loadItems(after) {
    cursor = after;
    const r = await gqlAll(implQ, { t: tenant, c: category || null, a: after });
    const l = r.data.serviceImplementations;
    itemsBox.replaceChildren(...r.errors.map(errorBox));
    if (!l) return;
    const active = l.nodes.filter(i => i.status === "active");
    itemsBox.append(
      h("p.muted", t("catalog.dev.stored", { n: l.totalCount })),
      active.length ? h("table#dev-item-list",
        h("tr", h("th", ""), h("th", t("catalog.code")), h("th", t("catalog.name")), h("th", t("catalog.category")), h("th", t("catalog.impl.col.body"))),
        active.map(i => h("tr",
          h("td", h("input", { type: "checkbox", "aria-label": i.name, dataset: { code: i.code }, checked: chosen.has(i.code),
            on: { change: ev => { ev.target.checked ? chosen.set(i.code, i) : chosen.delete(i.code); showChosen(); } } })),
          h("td.mono", i.code), h("td", i.name), h("td", i.category), h("td", i.implementingBody)))) : h("p.muted", t("catalog.none")),
      h("div.pager",
        after ? h("button", { type: "button", on: { click: () => reload(null) } }, t("catalog.firstPage")) : null,
        l.pageInfo.hasNextPage ? h("button#dev-next", { type: "button", on: { click: () => reload(l.pageInfo.endCursor) } }, t("catalog.nextPage")) : null));
  }

  // suggest fills a target's body from what it already implements in the same
  // category as the first chosen item: the body a district uses for such items.
  async function suggest(code, row) {
    const first = [...chosen.values()][0];
    if (!first) return;
    const r = await gqlAll(`query($t:String!,$c:String){ serviceImplementations(tenant:$t, category:$c, first:1){ nodes{ spec } } }`, { t: code, c: first.category || null });
    const n = r.data.serviceImplementations && r.data.serviceImplementations.nodes[0];
    const body = n && n.spec && n.spec.implementingBody;
    if (!body) return;
    const x = targets.get(code);
    if (!x || x.bodyName || x.creditCode) return;
    Object.assign(x, { bodyName: body.name || "", creditCode: body.creditCode || "", department: body.department || "" });
    row.querySelector("[name=bodyName]").value = x.bodyName;
    row.querySelector("[name=creditCode]").value = x.creditCode;
    row.querySelector("[name=department]").value = x.department;
  }

  function showTargets() {
    targetsBox.replaceChildren(tn.children.length ? h("table#dev-target-list",
      h("tr", h("th", ""), h("th", t("catalog.dev.target")), h("th", t("catalog.dev.bodyName")), h("th", t("catalog.dev.creditCode")), h("th", t("catalog.dev.department"))),
      tn.children.map(c => {
        const field = name => h("input", { name, size: name === "bodyName" ? 26 : 20, disabled: !targets.has(c.code), value: (targets.get(c.code) || {})[name] || "",
          on: { input: ev => { targets.get(c.code)[name] = ev.target.value.trim(); } } });
        const row = h("tr", { dataset: { tenant: c.code } },
          h("td", h("input", { type: "checkbox", "aria-label": c.name, dataset: { tenant: c.code }, checked: targets.has(c.code), on: { change: ev => {
            if (ev.target.checked) targets.set(c.code, { bodyName: "", creditCode: "", department: "" }); else targets.delete(c.code);
            row.querySelectorAll("input[name]").forEach(i => { i.disabled = !ev.target.checked; });
            if (ev.target.checked) suggest(c.code, row).catch(e => previewBox.replaceChildren(errorBox(e)));
          } } })),
          h("td", c.name, h("span.code", c.code)), h("td", field("bodyName")), h("td", field("creditCode")), h("td", field("department")));
        return row;
      })) : h("p.muted", t("catalog.dev.noChildren")));
  }

  const input = () => ({
    from: tenant, codes: [...chosen.keys()], skipRefused: true,
    targets: [...targets].map(([code, x]) => ({ tenant: code, bodyName: x.bodyName, creditCode: x.creditCode, department: x.department || null })),
  });
  const devolveQ = `mutation($in:DevolveInput!,$dry:Boolean){ devolveItems(input:$in, dryRun:$dry){ id status created updated retired report
    items{ code name } refused{ code name path reason } } }`;

  function refusal(e) {
    return h("div", errorBox(e), e.fields && e.fields.length ? h("ul.field-errors", e.fields.map(f => h("li", h("code", f.path), " ", f.message))) : null);
  }

  async function preview() {
    previewBox.replaceChildren(h("p.muted", t("catalog.dev.checking")));
    try {
      const p = (await gql(devolveQ, { in: input(), dry: true })).devolveItems;
      const per = (p.report && p.report.perTarget) || {};
      const name = code => (tn.children.find(c => c.code === code) || { name: code }).name;
      previewBox.replaceChildren(
        h("p#dev-summary", t("catalog.dev.summary", { items: p.items.length, created: p.created, updated: p.updated, retired: p.retired })),
        h("h4", t("catalog.dev.willMove")),
        h("table#dev-moves", h("tr", h("th", t("catalog.code")), h("th", t("catalog.name")), h("th", t("catalog.dev.to"))),
          p.items.map(i => h("tr", h("td.mono", i.code), h("td", i.name), h("td", Object.keys(per).map(name).join("、"))))),
        p.refused.length ? h("div", h("h4", t("catalog.dev.willRefuse")), refusedTable(t, p.refused)) : "",
        h("div.buttons", h("button#dev-confirm", { type: "submit", on: { click: confirm } }, t("catalog.dev.confirm", { n: p.items.length }))));
    } catch (e) {
      previewBox.replaceChildren(refusal(e));
    }
  }

  async function confirm(ev) {
    ev.target.disabled = true;
    try {
      const r = (await gql(devolveQ, { in: input(), dry: false })).devolveItems;
      location.hash = `#/devolutions/${tenant}/${r.id}`;
    } catch (e) {
      ev.target.disabled = false;
      previewBox.append(refusal(e));
    }
  }

  // Items chosen elsewhere (an implementation's page) arrive as ?codes=…&category=….
  const given = (query.get("codes") || "").split(",").filter(Boolean).slice(0, 50);
  if (given.length) {
    const n = await gqlAll(`query($t:String!){ ${given.map((c, i) => `n${i}: serviceItems(tenant:$t, search:${JSON.stringify(c)}, first:1){ nodes{ code name category } }`).join(" ")} }`, { t: tenant });
    given.forEach((code, i) => {
      const it = ((n.data["n" + i] || { nodes: [] }).nodes).find(x => x.code === code);
      chosen.set(code, it || { name: code, category: query.get("category") || "" });
    });
  }
  category = query.get("category") || "";
  const catForm = h("form.toolbar#dev-item-filter",
    h("label", t("catalog.category"), " ", h("input", { name: "category", value: category, size: 16 })),
    h("button", { type: "submit" }, t("catalog.find")));
  catForm.addEventListener("submit", ev => { ev.preventDefault(); category = new FormData(catForm).get("category").trim(); reload(null); });
  showChosen();
  showTargets();
  await loadItems(null);
  return h("section.devolve",
    head,
    h("ol.wizard",
      h("li", h("h3", t("catalog.dev.step1")), catForm, itemsBox, h("h4", t("catalog.dev.chosen")), chosenBox),
      h("li", h("h3", t("catalog.dev.step2")), h("p.muted", t("catalog.dev.bodyHint")), targetsBox),
      h("li", h("h3", t("catalog.dev.step3")), h("button#dev-preview-btn", { type: "button", on: { click: preview } }, t("catalog.dev.preview")), previewBox)),
    h("p", h("a", { href: "#/devolutions/" + tenant }, t("catalog.dev.journal"))));
}

// refusedTable lists items left out of a devolution and why.
export function refusedTable(t, refused) {
  return h("table.refused#dev-refused",
    h("tr", h("th", t("catalog.code")), h("th", t("catalog.name")), h("th", t("catalog.dev.reason"))),
    refused.map(r => h("tr", { dataset: { code: r.code } }, h("td.mono", r.code), h("td", r.name || "—"), h("td.error", r.reason))));
}
