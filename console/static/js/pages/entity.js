// The entity schema designer: one EntitySchema layer at a tenant, its fields edited
// as rows (add, remove, reorder; name, title, type or data element, length, rules,
// required, unique, index), the fields inherited from layers above shown beside,
// and the GraphQL types the tenant's data API serves for it: read from the API
// itself while the layer is as saved, drawn by the API's naming rules for a draft
// (ADR 34). Saved through applyResources like every resource; VALIDATION_FAILED is
// shown at its field.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { showFieldErrors, clearFieldErrors } from "../form.js";
import { draftTypes, servedTypes, servedParts, sdl, entityLayers, typeName, plural } from "../data.js";

const TYPES = ["string", "text", "integer", "decimal", "boolean", "date", "datetime"];
const FLAGS = ["required", "unique", "index"];

export async function render(ctx) {
  const { t, params } = ctx;
  const d = await load(ctx);
  const { tenant, isNew, res, mayWrite } = d;
  const spec = res ? structuredClone(res.spec) : {};
  const fields = (spec.fields || []).map(f => ({ ...f }));
  const inherited = d.above.flatMap(l => (l.spec.fields || []).map(f => ({ ...f, from: l.tenant })));
  const rels = (spec.relations || []).map(r => ({ ...r }));
  const inheritedRelations = d.above.flatMap(l => l.spec.relations || []);

  const nameInput = isNew ? h("input#entity-name", { name: "/metadata/name", required: true, pattern: "[a-z][a-z0-9]{1,39}", placeholder: "enterprise" }) : null;
  const titleInput = h("input#entity-title", { value: spec.title || "" });
  const descInput = h("textarea#entity-description", { rows: 2 }, spec.description || "");
  const status = h("div.status", { role: "status" });
  const entityName = () => (isNew ? nameInput.value.trim() : params.name);
  const known = new Set([...inherited, ...fields, ...inheritedRelations, ...rels].map(f => f.name));
  const preview = previewer(t, tenant, isNew, entityName, () => [...inherited, ...fields.filter(f => f.name)],
    () => [...inheritedRelations, ...rels.filter(r => r.name && r.entity)], d.elementType, known);
  const editor = fieldEditor(t, fields, { onChange: preview.changed, levelOf: d.levelOf, readOnly: mayWrite === false });
  const relEditor = relationEditor(t, rels, { onChange: preview.changed, entities: d.entities, readOnly: mayWrite === false });

  const object = () => {
    const s = { ...spec, fields: fields.map(f => ({ ...f })), relations: rels.map(r => ({ ...r })) };
    if (!rels.length) delete s.relations;
    const title = titleInput.value.trim(), desc = descInput.value.trim();
    if (title) s.title = title; else delete s.title;
    if (desc) s.description = desc; else delete s.description;
    return { apiVersion: res ? res.apiVersion : "gdbos.io/v1", kind: "EntitySchema",
      metadata: { tenant, name: entityName(), ...(res && res.labels ? { labels: res.labels } : {}) }, spec: s };
  };
  async function apply(dryRun) {
    clearFieldErrors(form);
    status.replaceChildren();
    try {
      const r = await ctx.gql(`mutation($o:[JSON!], $d:Boolean){ applyResources(objects:$o, dryRun:$d){ op resource{ name version } } }`, { o: [object()], d: dryRun });
      const a = r.applyResources[0];
      status.append(h("p.ok", t(dryRun ? "resources.dryrun" : "resources.saved", { op: t("op." + a.op), version: a.resource.version })));
      if (!dryRun) {
        const target = `#/entities/${tenant}/${a.resource.name}`;
        if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange")); else location.hash = target;
      }
    } catch (e) {
      const rest = e.fields && e.fields.length ? showFieldErrors(form, e.fields, f => [f.message, " ", h("code.code", e.code)]) : [];
      status.append(errorBox(e));
      rest.forEach(f => status.append(h("p.error", f.path + ": " + f.message)));
    }
  }

  [titleInput, descInput, nameInput].filter(Boolean).forEach(x => x.addEventListener("input", preview.changed));
  const slot = () => h("div.field-error", { role: "alert" });
  const form = h("form#entity-form.designer", { novalidate: true, on: { submit: ev => { ev.preventDefault(); apply(false); } } },
    h("div.field", { dataset: { path: "/metadata/name" } }, h("label", t("data.entity"), h("span.req", " *")), nameInput || h("code#entity-name", params.name), slot()),
    h("div.field", { dataset: { path: "/spec/title" } }, h("label", t("data.title")), titleInput, slot()),
    h("div.field", { dataset: { path: "/spec/description" } }, h("label", t("data.description")), descInput, slot()),
    inherited.length ? [h("h3", t("data.inherited")), inheritedTable(t, inherited)] : null,
    h("h3", t(inherited.length ? "data.localFields" : "data.fields")),
    h("div.field", { dataset: { path: "/spec/fields" } },
      h("table#fields.fields",
        h("thead", h("tr", h("th", "#"), ["name", "title", "type", "element", "length", ...FLAGS, "level"].map(k => h("th", t("data.field." + k))), h("th"), h("th"))),
        editor.rows),
      slot()),
    h("h3", t("data.relations")),
    h("div.field", { dataset: { path: "/spec/relations" } }, relEditor.table, slot()),
    h("datalist#element-list", [...d.elements.values()].map(e => h("option", { value: e.name }, e.title || ""))),
    mayWrite === false ? h("p.muted", t("resources.readonly")) : h("div.buttons",
      h("button#add-field", { type: "button", on: { click: () => editor.add() } }, t("data.field.add")),
      h("button#add-relation", { type: "button", on: { click: () => relEditor.add() } }, t("data.relation.add")),
      h("button#save", { type: "submit" }, t(isNew ? "resources.create" : res ? "form.save" : "data.addLayer")),
      h("button#dryrun", { type: "button", on: { click: () => apply(true) } }, t("form.dryrun"))),
    isNew ? null : classificationLink(t, d, params.name),
    (spec.versions || []).length || (spec.indexes || []).length
      ? h("p.muted", t("data.keptInYaml"), " ", h("a", { href: `#/r/EntitySchema/${tenant}/${params.name}?tab=yaml` }, "YAML")) : null,
    status);
  if (mayWrite === false) [titleInput, descInput].forEach(x => { x.disabled = true; });
  preview.show();

  const name = params.name;
  return h("section.entity-designer", { dataset: { tenant, entity: name || "" } },
    h("nav.crumbs", h("a", { href: "#/entities?tenant=" + tenant }, t("data.entities.title")), " / ", name || t("data.entities.new")),
    h("h2", name ? typeName(name) : t("data.entities.new"), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, d.tenantName), h("span.code", tenant),
      res ? h("span.badge", "v" + res.version) : null),
    d.errors.map(errorBox),
    name ? h("p.links", h("a#to-records", { href: `#/records/${tenant}/${name}` }, t("data.records"), " (", plural(name), ")"), " · ",
      h("a", { href: `#/import/${tenant}/${name}` }, t("data.import")), " · ",
      h("a", { href: `#/r/EntitySchema/${tenant}/${name}?tab=history` }, t("tab.history"))) : null,
    h("div.designer-grid", form, h("aside.preview", h("h3", t("data.sdl.title")), preview.source, preview.box)));
}

// load reads what the designer needs: the tenant's lineage, the entity's layers on
// it, the data elements in force there (dataElements: shipped ones too, with the
// type a field naming them takes), this tenant's layer, what the user may do, and
// the Classification named after the entity's type.
async function load(ctx) {
  const { t, gqlAll, params } = ctx;
  const tenant = params.tenant, isNew = !params.name;
  const r = await gqlAll(`query($t:String!){ tenant(code:$t){ code name ancestors{ code } } }`, { t: tenant });
  if (!r.data.tenant) throw r.errors[0] || new Error(t("tenant.notfound", { code: tenant }));
  const path = [...r.data.tenant.ancestors.map(a => a.code), tenant];
  const [{ layers, errors }, els, own, [mayWrite, mayClassify]] = await Promise.all([
    entityLayers(gqlAll, path),
    gqlAll(`query($t:String!){ dataElements(tenant:$t){ name title fieldType } }`, { t: tenant }),
    isNew ? { data: {}, errors: [] } : gqlAll(`query($t:String!,$n:String!){ resource(kind:"EntitySchema", tenant:$t, name:$n){ apiVersion labels spec version } }`, { t: tenant, n: params.name }),
    ctx.can(tenant, [["EntitySchema", "write"], ["Classification", "read"]]),
  ]);
  const res = own.data.resource;
  const above = isNew ? [] : layers.filter(l => l.name === params.name && l.tenant !== tenant);
  if (!isNew && !res && !above.length) throw new Error(t("data.entity.notfound", { name: params.name, tenant }));
  // Fields are classified (and masked) by the Classification named after the type,
  // not by the schema: shown beside each field, edited on its own page.
  const cls = !isNew && mayClassify !== false ? (await gqlAll(`query($t:String!,$n:String!){ effectiveResource(kind:"Classification", tenant:$t, name:$n){ spec layers } }`,
    { t: tenant, n: typeName(params.name) })).data.effectiveResource : null;
  const elements = new Map((els.data.dataElements || []).map(e => [e.name, e]));
  return {
    tenant, isNew, tenantName: r.data.tenant.name, elements, res, above, mayWrite, mayClassify, cls,
    entities: [...new Set([...layers.map(l => l.name), ...(isNew ? [] : [params.name])])].sort(),
    elementType: code => (elements.has(code) ? elements.get(code).fieldType : ""),
    levelOf: name => (cls && cls.spec.fields && cls.spec.fields[name] ? cls.spec.fields[name].level : ""),
    errors: [...r.errors, ...errors, ...els.errors, ...own.errors.filter(e => e.code !== "NOT_FOUND")],
  };
}

// previewer shows the entity's GraphQL types: the data API's while nothing has
// changed since the page was loaded, then the draft's, which takes from the served
// ones the types of fields naming data elements and the members other entities
// derive (known: the names the layers declare).
function previewer(t, tenant, isNew, entityName, allFields, allRelations, elementType, known) {
  const box = h("pre#sdl.sdl"), source = h("p#sdl-source.muted");
  let dirty = isNew, asked = 0, parts = null;
  async function show() {
    const name = entityName();
    if (!/^[a-z][a-z0-9]{1,39}$/.test(name)) { source.textContent = t("data.sdl.noname"); box.textContent = ""; return; }
    const mine = ++asked;
    if (!dirty) {
      try {
        const served = await servedTypes(tenant, name);
        if (mine !== asked) return;
        if (served) {
          parts = servedParts(served, known);
          source.textContent = t("data.sdl.served", { url: `/data/${tenant}/graphql` });
          box.textContent = sdl(served);
          return;
        }
      } catch (e) { source.replaceChildren(errorBox(e)); }
    }
    const resolve = (code, field) => elementType(code) || (parts && parts.types.get(field)) || "";
    const d = draftTypes(name, allFields(), allRelations(), resolve, parts && parts.derived);
    source.textContent = t("data.sdl.draft") + (d.unresolved.length ? " " + t("data.sdl.unresolved", { fields: d.unresolved.join(", ") }) : "");
    box.textContent = sdl(d);
  }
  return { box, source, show, changed: () => { dirty = true; show(); } };
}

// fieldEditor edits fields in place, one table row each; every control sits in an
// element whose data-path is its pointer (/spec/fields/2/name), where the server's
// refusals are shown.
function fieldEditor(t, fields, { onChange, levelOf, readOnly }) {
  const rows = h("tbody#field-rows");
  const slot = () => h("div.field-error", { role: "alert" });
  const cell = (p, control) => h("td", h("div.field", { dataset: { path: p } }, control, slot()));
  const num = el => (el.value === "" ? undefined : Number(el.value));
  const txt = el => el.value.trim();
  const bind = (f, key, el, read) => {
    el.addEventListener(el.type === "checkbox" || el.tagName === "SELECT" ? "change" : "input", () => {
      const v = read(el);
      if (v === undefined || v === "" || v === false || (Array.isArray(v) && !v.length)) delete f[key]; else f[key] = v;
      onChange();
    });
    return el;
  };
  const rule = (f, p, key, control, read) => h("div.field", { dataset: { path: p + "/" + key } }, h("label", t("data.field." + key)), bind(f, key, control, read), slot());

  function row(f, i) {
    const p = "/spec/fields/" + i;
    const move = d => { const j = i + d; [fields[i], fields[j]] = [fields[j], fields[i]]; redraw(); onChange(); };
    const more = h("details", h("summary", t("data.field.more")), h("div.more",
      rule(f, p, "enum", h("input.enum", { value: (f.enum || []).join(", "), placeholder: "存续, 注销" }), el => el.value.split(/[,，]/).map(s => s.trim()).filter(Boolean)),
      rule(f, p, "min", h("input.min", { type: "number", step: "any", value: f.min ?? "" }), num),
      rule(f, p, "max", h("input.max", { type: "number", step: "any", value: f.max ?? "" }), num),
      rule(f, p, "pattern", h("input.pattern", { value: f.pattern || "" }), txt),
      rule(f, p, "description", h("input.description", { value: f.description || "" }), txt)));
    const level = levelOf(f.name);
    return h("tr.field-row", { dataset: { index: String(i) } },
      h("td.num", { dataset: { path: p } }, String(i + 1), slot()),
      cell(p + "/name", bind(f, "name", h("input.name", { value: f.name || "", "aria-label": t("data.field.name"), required: true }), txt)),
      cell(p + "/title", bind(f, "title", h("input.title", { value: f.title || "", "aria-label": t("data.field.title") }), txt)),
      cell(p + "/type", bind(f, "type", h("select.type", { "aria-label": t("data.field.type") }, h("option", { value: "" }, t("data.field.byElement")),
        TYPES.map(x => h("option", { value: x, selected: f.type === x }, t("data.type." + x)))), el => el.value)),
      cell(p + "/element", bind(f, "element", h("input.element", { value: f.element || "", list: "element-list", "aria-label": t("data.field.element") }), txt)),
      cell(p + "/length", bind(f, "length", h("input.length", { type: "number", min: 1, value: f.length ?? "", "aria-label": t("data.field.length") }), num)),
      FLAGS.map(k => cell(p + "/" + k, bind(f, k, h("input." + k, { type: "checkbox", checked: !!f[k], "aria-label": t("data.field." + k) }), el => el.checked))),
      h("td.level", level ? h("span.badge.level-" + level, t("data.level." + level)) : null),
      h("td.more-cell", more),
      h("td.row-buttons",
        h("button.up", { type: "button", title: t("data.field.up"), disabled: i === 0, on: { click: () => move(-1) } }, "↑"),
        h("button.down", { type: "button", title: t("data.field.down"), disabled: i === fields.length - 1, on: { click: () => move(1) } }, "↓"),
        h("button.remove", { type: "button", title: t("form.remove"), on: { click: () => { fields.splice(i, 1); redraw(); onChange(); } } }, "✕")));
  }
  function redraw() {
    rows.replaceChildren(...fields.map(row));
    if (readOnly) rows.querySelectorAll("input,select,button").forEach(x => { x.disabled = true; });
  }
  redraw();
  return {
    rows,
    add() {
      fields.push({ name: "", type: "string" });
      redraw();
      onChange();
      rows.lastElementChild.querySelector("input.name").focus();
    },
  };
}

function inheritedTable(t, inherited) {
  return h("table#inherited-fields",
    h("tr", h("th", t("data.field.name")), h("th", t("data.field.title")), h("th", t("data.field.type")), h("th", t("data.layers"))),
    inherited.map(f => h("tr", h("td", h("code", f.name)), h("td", f.title || ""),
      h("td", f.type ? t("data.type." + f.type) : f.element ? "⟨" + f.element + "⟩" : ""), h("td", f.from))));
}

// classificationLink says where the fields' classes come from, and links to it.
function classificationLink(t, d, name) {
  if (d.mayClassify === false) return null;
  const T = typeName(name);
  return h("p.muted#classification-link", t("data.classification", { type: T }), " ",
    d.cls && d.cls.layers.includes(d.tenant) ? h("a", { href: `#/r/Classification/${d.tenant}/${T}` }, t("data.classification.edit"))
      : h("a", { href: `#/new/Classification/${d.tenant}` }, t("data.classification.new")));
}

const KINDS = ["manyToOne", "oneToMany", "manyToMany"];

// relationEditor edits this layer's relations in place, one row each, like
// fieldEditor: name, title, kind, the related entity (one in force here), the
// inverse's name and, for manyToOne, required.
function relationEditor(t, rels, { onChange, entities, readOnly }) {
  const rows = h("tbody#relation-rows");
  const slot = () => h("div.field-error", { role: "alert" });
  const cell = (p, control) => h("td", h("div.field", { dataset: { path: p } }, control, slot()));
  const bind = (r, key, el, read) => {
    el.addEventListener(el.type === "checkbox" || el.tagName === "SELECT" ? "change" : "input", () => {
      const v = read(el);
      if (v === "" || v === false) delete r[key]; else r[key] = v;
      onChange();
    });
    return el;
  };
  const txt = el => el.value.trim();
  const row = (r, i) => {
    const p = "/spec/relations/" + i;
    return h("tr.relation-row",
      h("td.num", { dataset: { path: p } }, String(i + 1), slot()),
      cell(p + "/name", bind(r, "name", h("input.name", { value: r.name || "", "aria-label": t("data.relation.name") }), txt)),
      cell(p + "/title", bind(r, "title", h("input.title", { value: r.title || "", "aria-label": t("data.relation.title") }), txt)),
      cell(p + "/kind", bind(r, "kind", h("select.kind", { "aria-label": t("data.relation.kind") },
        KINDS.map(k => h("option", { value: k, selected: r.kind === k }, t("data.kind." + k)))), el => el.value)),
      cell(p + "/entity", bind(r, "entity", h("select.entity", { "aria-label": t("data.relation.entity") }, h("option", { value: "" }, ""),
        [...new Set([...entities, r.entity].filter(Boolean))].map(n => h("option", { value: n, selected: r.entity === n }, n))), el => el.value)),
      cell(p + "/inverse", bind(r, "inverse", h("input.inverse", { value: r.inverse || "", "aria-label": t("data.relation.inverse") }), txt)),
      cell(p + "/required", bind(r, "required", h("input.required", { type: "checkbox", checked: !!r.required, "aria-label": t("data.relation.required") }), el => el.checked)),
      h("td.row-buttons", h("button.remove", { type: "button", title: t("form.remove"), on: { click: () => { rels.splice(i, 1); redraw(); onChange(); } } }, "✕")));
  };
  function redraw() {
    rows.replaceChildren(...rels.map(row));
    if (readOnly) rows.querySelectorAll("input,select,button").forEach(x => { x.disabled = true; });
  }
  redraw();
  const table = h("table#relations.fields",
    h("thead", h("tr", h("th", "#"), ["name", "title", "kind", "entity", "inverse", "required"].map(k => h("th", t("data.relation." + k))), h("th"))), rows);
  return {
    table,
    add() {
      rels.push({ name: "", kind: "manyToOne" });
      redraw();
      onChange();
      rows.lastElementChild.querySelector("input.name").focus();
    },
  };
}
