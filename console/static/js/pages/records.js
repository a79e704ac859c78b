// Records of an entity at a tenant, from the tenant's data API: a filter per field
// (the API's operators for the field's type), order by a column, pages with
// totalCount. Values are shown as the API answers them, masked ones masked; a
// filter or order on a field the caller sees masked is refused by the API (ADR 25)
// and the refusal is shown.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { dataGql, typeName, plural, fieldOrder } from "../data.js";

const OPS = {
  StringFilter: ["contains", "eq", "startsWith", "ne", "gt", "gte", "lt", "lte", "isNull"],
  IntFilter: ["eq", "ne", "gt", "gte", "lt", "lte", "isNull"],
  FloatFilter: ["eq", "ne", "gt", "gte", "lt", "lte", "isNull"],
  BooleanFilter: ["eq", "isNull"],
};
const SIZES = [20, 50, 100];

const named = t => (t.kind === "NON_NULL" || t.kind === "LIST" ? named(t.ofType) : t);

export async function render(ctx) {
  const { t, params } = ctx;
  const { tenant, entity } = params;
  const T = typeName(entity), many = plural(entity);
  const mayImport = ctx.can(tenant, [[T, "write"]]);
  const [intro, order] = await Promise.all([dataGql(tenant, `{
    t: __type(name: "${T}") { fields { name description type { kind name ofType { kind name ofType { kind name } } } } }
    f: __type(name: "${T}Filter") { inputFields { name type { name } } }
    o: __type(name: "${T}Field") { enumValues { name } }
  }`), fieldOrder(ctx, tenant, entity)]);
  if (!intro.data.t) throw new Error(t("data.records.noentity", { entity, tenant }));
  const cols = columns(intro.data.t.fields, order);
  const filterType = new Map((intro.data.f ? intro.data.f.inputFields : []).map(f => [f.name, f.type.name]));

  // after holds the cursors of the pages before this one, seen the row counts read.
  const state = { filter: null, order: null, desc: false, first: 20, after: [], seen: [] };
  const out = h("div#records-out");
  const summary = h("p#records-total");
  const tbody = h("tbody");
  const restart = () => { state.after = []; state.seen = []; load(); };
  // Fields the user sees masked cannot be filtered or ordered on (ADR 25): the API
  // names them, and they are not offered. Asked beside the first page.
  const [hidden] = await Promise.all([maskedFields(tenant, T, many, cols.filter(c => !c.ref).map(c => c.name).filter(n => filterType.has(n))), load()]);
  const orderable = new Set((intro.data.o ? intro.data.o.enumValues : []).map(v => v.name).filter(n => !hidden.has(n)));
  const filter = filters(t, cols, filterType, hidden);

  async function load() {
    out.setAttribute("aria-busy", "true");
    const vars = { f: state.filter, o: state.order ? [{ field: state.order, desc: state.desc }] : null, n: state.first, a: state.after[state.after.length - 1] || null };
    let r;
    try {
      r = await dataGql(tenant, `query($f:${T}Filter, $o:[${T}Order!], $n:Int, $a:String){ ${many}(filter:$f, orderBy:$o, first:$n, after:$a){
        totalCount pageInfo{ hasNextPage endCursor } nodes{ ${cols.map(c => (c.ref ? c.name + "{ id }" : c.name)).join(" ")} } } }`, vars);
    } catch (e) { r = { data: {}, errors: [e] }; }
    out.removeAttribute("aria-busy");
    const page = r.data[many];
    if (!page) { out.replaceChildren(...r.errors.map(errorBox)); summary.textContent = ""; return; }
    const from = state.seen.reduce((a, b) => a + b, 0);
    summary.textContent = t("data.records.total", { n: page.totalCount, from: page.nodes.length ? from + 1 : 0, to: from + page.nodes.length });
    out.replaceChildren(...r.errors.map(errorBox),
      ...(page.nodes.length ? [] : [h("p.muted", t("data.records.none"))]),
      h("div.buttons",
        h("button#prev-page", { type: "button", disabled: !state.after.length, on: { click: () => { state.after.pop(); state.seen.pop(); load(); } } }, t("data.records.prev")),
        h("button#next-page", { type: "button", disabled: !page.pageInfo.hasNextPage, on: { click: () => { state.seen.push(page.nodes.length); state.after.push(page.pageInfo.endCursor); load(); } } }, t("data.records.next"))));
    tbody.replaceChildren(...page.nodes.map(n => h("tr", { dataset: { id: n.id } }, cols.map(c => h("td", n[c.name] == null ? "" : c.ref ? "#" + n[c.name].id : String(n[c.name]))))));
  }

  const mark = name => (name === state.order ? (state.desc ? " ▼" : " ▲") : "");
  const head = h("tr", cols.map(c => h("th", { title: c.name, dataset: { field: c.name } },
    orderable.has(c.name) ? h("button.sort", { type: "button", on: { click: () => sortBy(c.name) } }, label(c), mark(c.name)) : label(c))));
  function sortBy(name) {
    state.desc = state.order === name ? !state.desc : false;
    state.order = name;
    head.querySelectorAll("th").forEach(th => {
      const b = th.querySelector("button.sort");
      if (b) b.replaceChildren(...[label(cols.find(c => c.name === th.dataset.field))].flat(), mark(th.dataset.field));
    });
    restart();
  }
  const size = h("select#page-size", { "aria-label": t("data.records.size"), on: { change: () => { state.first = Number(size.value); restart(); } } },
    SIZES.map(n => h("option", { value: String(n), selected: n === state.first }, String(n))));
  const form = h("form#records-filter", { on: { submit: ev => { ev.preventDefault(); state.filter = filter.read(); restart(); } } },
    h("div.table-scroll", h("table#records", h("thead", head, filter.row), tbody)),
    h("div.buttons", h("button#apply-filter", { type: "submit" }, t("data.records.filter")),
      h("button", { type: "reset", on: { click: () => setTimeout(() => form.requestSubmit(), 0) } }, t("data.records.clear")),
      h("label", t("data.records.size"), " ", size), summary));
  const [mayWrite] = await mayImport;
  return h("section.records", { dataset: { tenant, entity } },
    h("nav.crumbs", h("a", { href: "#/entities?tenant=" + tenant }, t("data.entities.title")), " / ", h("a", { href: `#/entities/${tenant}/${entity}` }, entity), " / ", t("data.records")),
    h("h2", t("data.records.title", { type: T }), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, tenant),
      h("span.code", `/data/${tenant}/graphql`)),
    h("p.links", mayWrite !== false ? h("a#to-import", { href: `#/import/${tenant}/${entity}` }, t("data.import")) : null, " ",
      h("a", { href: `#/graphiql?tenant=${tenant}&entity=${entity}` }, "GraphiQL")),
    intro.errors.map(errorBox), form, out);
}

const label = c => (c.description ? [c.description, h("span.code", c.name)] : c.name);

// maskedFields asks the API which of the fields it would refuse to filter on for
// this user: a filter on all of them, refused with the path of each masked one.
// It reads at most one id, and counts nothing.
async function maskedFields(tenant, T, many, names) {
  if (!names.length) return new Set();
  const f = { and: names.map(n => ({ [n]: { isNull: false } })) };
  let errors;
  try {
    ({ errors } = await dataGql(tenant, `query($f:${T}Filter){ ${many}(filter:$f, first:1){ nodes{ id } } }`, { f }));
  } catch (e) { errors = [e]; }
  const refusal = errors.find(e => e.code === "FORBIDDEN");
  return new Set(refusal ? refusal.fields.map(x => x.path.split("/").pop()) : []);
}

// columns are the type's scalar fields: id and tenant, the entity's fields in the
// schema's order, its manyToOne relations (ref: shown by the related record's id),
// then updatedAt.
function columns(fields, order) {
  const scalars = fields.filter(f => named(f.type).kind === "SCALAR");
  const refs = fields.filter(f => f.type.kind === "OBJECT").map(f => ({ ...f, ref: true }));
  const system = ["id", "tenant"];
  const quiet = ["createdBy", "updatedBy", "deletedAt", "version", "createdAt", "updatedAt"];
  const pos = n => (order.includes(n) ? order.indexOf(n) : order.length);
  const own = scalars.filter(f => !system.includes(f.name) && !quiet.includes(f.name)).sort((a, b) => pos(a.name) - pos(b.name));
  return [...system.map(n => scalars.find(f => f.name === n)), ...own, ...refs, scalars.find(f => f.name === "updatedAt")].filter(Boolean);
}

// filters is the row of filter inputs under the header, one per column the API can
// filter on for this user (hidden: the masked ones), and read() turning them into
// the API's filter (all of them must hold).
function filters(t, cols, filterType, hidden) {
  const scalarOf = new Map(cols.map(c => [c.name, named(c.type).name]));
  const row = h("tr.filters", cols.map(c => {
    const ft = filterType.get(c.name);
    if (hidden.has(c.name)) return h("td.masked", { title: t("data.records.masked") }, "🔒");
    if (!ft || !OPS[ft]) return h("td");
    const op = h("select.op", { name: "op-" + c.name, "aria-label": t("data.records.op") }, OPS[ft].map(o => h("option", { value: o }, t("data.op." + o))));
    const val = ft === "BooleanFilter"
      ? h("select.val", { name: "v-" + c.name }, h("option", { value: "" }, ""), h("option", { value: "true" }, t("yes")), h("option", { value: "false" }, t("no")))
      : h("input.val", { name: "v-" + c.name, size: 8, type: ft === "StringFilter" ? "search" : "number", step: "any", "aria-label": c.name });
    return h("td", { dataset: { field: c.name } }, op, val);
  }));
  function read() {
    const and = [];
    for (const td of row.querySelectorAll("td[data-field]")) {
      const name = td.dataset.field, op = td.querySelector(".op").value, raw = td.querySelector(".val").value.trim();
      if (op === "isNull") { if (raw !== "") and.push({ [name]: { isNull: raw !== "false" && raw !== "0" } }); continue; }
      if (raw === "") continue;
      const sc = scalarOf.get(name);
      const v = sc === "Int" ? parseInt(raw, 10) : sc === "Float" ? Number(raw) : sc === "Boolean" ? raw === "true" : raw;
      and.push({ [name]: { [op]: v } });
    }
    return and.length ? { and } : null;
  }
  return { row, read };
}
