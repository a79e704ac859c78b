// Forms generated from a kind's JSON Schema. Every field is wrapped in an element
// with data-path set to its JSON pointer from the resource (/spec/...), where the
// server's VALIDATION_FAILED and LOCKED refusals are shown.
import { h } from "./dom.js";
import { t } from "./i18n.js";

// buildForm returns {el, value()} for schema and the initial value; hints maps a
// pointer to extra elements shown beside that field (origins, locks).
export function buildForm(schema, value, base, hints) {
  const ed = editor(schema, value, base, schema, "", true, hints || {});
  return { el: ed.el, value: () => ed.get() };
}

function resolve(s, root) {
  let guard = 0;
  while (s && s.$ref && guard++ < 10) {
    const m = s.$ref.match(/^#\/(\$defs|definitions)\/(.+)$/);
    s = m ? { ...(root[m[1]] || {})[m[2]], ...without(s, "$ref") } : {};
  }
  return s || {};
}

function without(o, k) { const c = { ...o }; delete c[k]; return c; }

function typeOf(s) {
  const ty = Array.isArray(s.type) ? s.type.find(x => x !== "null") : s.type;
  if (ty) return ty;
  if (s.properties) return "object";
  if (s.enum) return "enum";
  return "any";
}

function wrap(path, label, schema, required, control, hints, nested) {
  // A field edited as a whole (free-form JSON) shows the hints of the fields inside it.
  const inner = nested ? Object.keys(hints).filter(k => k.startsWith(path + "/")).sort()
    .map(k => h("div.nested-hint", h("code", k.slice(path.length + 1)), " ", hints[k])) : [];
  return h("div.field", { dataset: { path } },
    h("label", label, required ? h("span.req", " *") : null,
      schema.description ? h("span.help", { title: schema.description }, " ⓘ") : null),
    control,
    hints[path] || null, inner,
    h("div.field-error", { role: "alert" }));
}

function editor(s0, value, path, root, label, required, hints) {
  const s = resolve(s0, root);
  const ty = s.enum ? "enum" : typeOf(s);
  const name = label || path.split("/").pop();
  if (ty === "object" && s.properties) {
    const children = Object.entries(s.properties).map(([k, ps]) => [k, editor(ps, value ? value[k] : undefined, path + "/" + k, root, k, (s.required || []).includes(k), hints)]);
    const known = new Set(Object.keys(s.properties));
    const extra = value && typeof value === "object" ? Object.fromEntries(Object.entries(value).filter(([k]) => !known.has(k))) : {};
    const el = h("fieldset.field", { dataset: { path } }, path ? h("legend", name, required ? h("span.req", " *") : null) : null,
      s.description && path ? h("p.help", s.description) : null,
      children.map(c => c[1].el), hints[path] || null, h("div.field-error", { role: "alert" }));
    return {
      el, get() {
        const out = { ...extra };
        for (const [k, ed] of children) { const v = ed.get(); if (v !== undefined) out[k] = v; }
        return Object.keys(out).length || required ? out : undefined;
      },
    };
  }
  if (ty === "array") {
    const items = s.items || {};
    const list = h("ol.items");
    const eds = [];
    const add = v => {
      const i = eds.length;
      const ed = editor(items, v, path + "/" + i, root, "#" + (i + 1), false, hints);
      const li = h("li", ed.el, h("button.remove", { type: "button", on: { click: () => { eds[eds.indexOf(entry)] = null; li.remove(); } } }, t("form.remove")));
      const entry = { ed };
      eds.push(entry);
      list.append(li);
    };
    (Array.isArray(value) ? value : []).forEach(add);
    const el = wrap(path, name, s, required, h("div", list, h("button.add", { type: "button", on: { click: () => add(undefined) } }, t("form.add"))), hints);
    return {
      el, get() {
        const out = eds.filter(Boolean).map(e => e.ed.get()).filter(v => v !== undefined);
        return out.length || (required && Array.isArray(value)) ? out : (Array.isArray(value) && value.length === 0 ? [] : undefined);
      },
    };
  }
  let input, get;
  if (ty === "enum" || ty === "boolean") {
    const opts = ty === "boolean" ? [true, false] : s.enum;
    input = h("select", h("option", { value: "" }, t("form.unset")),
      opts.map((o, i) => h("option", { value: String(i), selected: value === o }, ty === "boolean" ? t(o ? "yes" : "no") : String(o))));
    get = () => (input.value === "" ? undefined : opts[Number(input.value)]);
  } else if (ty === "integer" || ty === "number") {
    input = h("input", { type: "number", step: ty === "integer" ? "1" : "any", value: value ?? "" });
    if (s.minimum !== undefined) input.min = s.minimum;
    if (s.maximum !== undefined) input.max = s.maximum;
    get = () => (input.value === "" ? undefined : Number(input.value));
  } else if (ty === "string") {
    const long = /rego|source|template|description|expression/i.test(name) || (s.maxLength || 0) > 200;
    input = long ? h("textarea", { rows: 6 }, value ?? "") : h("input", { type: s.format === "date" ? "date" : "text", value: value ?? "" });
    if (s.pattern) input.setAttribute("pattern", s.pattern);
    get = () => (input.value === "" ? undefined : input.value);
  } else {
    // Free-form objects (module settings, …): edited as JSON.
    input = h("textarea.json", { rows: 4, spellcheck: false }, value === undefined ? "" : JSON.stringify(value, null, 2));
    get = () => {
      if (input.value.trim() === "") return undefined;
      try { return JSON.parse(input.value); } catch (e) { throw new FieldError(path, t("form.badjson") + ": " + e.message); }
    };
  }
  input.name = path;
  if (required) input.setAttribute("aria-required", "true");
  return { el: wrap(path, name, s, required, input, hints, ty === "any" || ty === "object"), get };
}

// FieldError is a problem the form finds before sending (JSON that does not parse).
export class FieldError extends Error {
  constructor(path, message) { super(message); this.path = path; }
}

// showFieldErrors puts each {path, message} at the field with that pointer, or the
// nearest field above it; it returns the errors that found no field.
export function showFieldErrors(root, fields, decorate) {
  clearFieldErrors(root);
  const rest = [];
  for (const f of fields) {
    let p = f.path;
    let el = null;
    while (p && !(el = root.querySelector(`[data-path="${CSS.escape(p)}"]`))) p = p.slice(0, p.lastIndexOf("/"));
    if (!el) { rest.push(f); continue; }
    el.classList.add("invalid");
    const slot = el.querySelector(":scope > .field-error");
    slot.append(h("div", decorate ? decorate(f) : f.message, p !== f.path ? h("span.code", f.path) : null));
  }
  const first = root.querySelector(".invalid");
  if (first) first.scrollIntoView({ block: "center" });
  return rest;
}

export function clearFieldErrors(root) {
  root.querySelectorAll(".invalid").forEach(el => el.classList.remove("invalid"));
  root.querySelectorAll(".field-error").forEach(el => el.replaceChildren());
}
