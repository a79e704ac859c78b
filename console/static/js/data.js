// Entities and their records: a client of one tenant's data API
// (/data/{tenant}/graphql), and the GraphQL types an entity schema gets there,
// printed as SDL from the API's own introspection or, for a draft, by the naming
// rules of core/graph (data.go, data_versions.go, data_relations.go; ADR 34).
import { APIError, session } from "./api.js";

export function dataURL(tenant, rest) { return "/data/" + encodeURIComponent(tenant) + "/" + rest; }

// dataGql runs a query on a tenant's data API: partial data with every error, as gqlAll.
export async function dataGql(tenant, query, variables) {
  const headers = { "Content-Type": "application/json" };
  if (session.token) headers.Authorization = "Bearer " + session.token;
  const res = await fetch(dataURL(tenant, "graphql"), { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  let body;
  try { body = await res.json(); } catch { throw new APIError({ message: res.status + " " + res.statusText }, res.status); }
  const errors = (body.errors || []).map(e => new APIError(e, res.status));
  if (errors.length && !body.data) throw errors[0];
  return { data: body.data || {}, errors };
}

// Naming, as core/graph names an entity's types and root fields.
export const typeName = n => n.charAt(0).toUpperCase() + n.slice(1);
export function plural(n) {
  if (n.endsWith("y")) return n.slice(0, -1) + "ies";
  if (/(s|x|ch|sh)$/.test(n)) return n + "es";
  return n + "s";
}
export const scalarOf = ty => ({ integer: "Int", decimal: "Float", boolean: "Boolean" })[ty] || "String";

const SYSTEM = [["id", "ID!"], ["tenant", "String!"], ["createdAt", "String!"], ["updatedAt", "String!"],
  ["createdBy", "String!"], ["updatedBy", "String!"], ["deletedAt", "String"], ["version", "Int!"]];

// draftTypes is what the data API would serve for an entity: fields are every field
// seen at the tenant (inherited layers' and this one's); elementType(code, field)
// resolves a data element's type when the console knows it (else the server decides
// on save); derived are members the served API has that no layer declares (inverse
// relations other entities derive onto this one), kept as served.
export function draftTypes(name, fields, relations, elementType, derived) {
  const T = typeName(name);
  const obj = SYSTEM.map(([n, t]) => ({ name: n, type: t }));
  const input = [];
  const unresolved = [];
  for (const f of fields) {
    let ty = f.type;
    if (!ty && f.element) { ty = elementType(f.element, f.name); if (!ty) unresolved.push(f.name); }
    const sc = scalarOf(ty || "string");
    obj.push({ name: f.name, type: sc, description: f.title });
    input.push({ name: f.name, type: sc, description: f.description });
  }
  for (const r of relations || []) {
    const R = typeName(r.entity);
    if (r.kind === "manyToOne") {
      obj.push({ name: r.name, type: R, description: r.title });
      input.push({ name: r.name, type: "ID", description: "The id of a " + R + " you may read." });
    } else {
      obj.push({ name: r.name, type: R + "Connection!", description: r.title,
        args: [{ name: "filter", type: R + "Filter" }, { name: "orderBy", type: "[" + R + "Order!]" }, { name: "first", type: "Int", defaultValue: "50" }] });
      if (r.kind === "manyToMany") input.push({ name: r.name, type: "LinkInput" });
    }
  }
  if (derived) { obj.push(...derived.obj); input.push(...derived.input); }
  const one = name, many = plural(name);
  const id = { name: "id", type: "ID!" };
  return {
    types: [{ kind: "type", name: T, fields: obj }, { kind: "input", name: T + "Input", fields: input }],
    query: [
      { name: one, type: T, args: [id], description: "One " + T + " by id." },
      { name: many, type: T + "Connection!", description: "A page of " + T + " records.", args: [{ name: "filter", type: T + "Filter" }, { name: "orderBy", type: "[" + T + "Order!]" },
        { name: "first", type: "Int", defaultValue: "50" }, { name: "after", type: "String" }, { name: "deleted", type: "Boolean" }] },
    ],
    mutation: [
      { name: "create" + T, type: T + "!", args: [{ name: "input", type: T + "Input!" }, { name: "tenant", type: "String" }] },
      { name: "update" + T, type: T + "!", args: [id, { name: "input", type: T + "Input!" }, { name: "version", type: "Int" }] },
      { name: "delete" + T, type: "Boolean!", args: [id], description: "Soft delete; restore" + T + " brings it back. A record other live records point at is a CONFLICT." },
      { name: "restore" + T, type: T + "!", args: [id] },
    ],
    unresolved,
  };
}

const TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }";
const FIELD = `name description args { name defaultValue type { ${TYPE_REF} } } type { ${TYPE_REF} }`;

// servedTypes asks the tenant's data API for an entity's types; null when the
// entity is not served there.
export async function servedTypes(tenant, name) {
  const T = typeName(name);
  const r = await dataGql(tenant, `{
    t: __type(name: "${T}") { fields { ${FIELD} } }
    i: __type(name: "${T}Input") { inputFields { name description defaultValue type { ${TYPE_REF} } } }
    q: __schema { queryType { fields { ${FIELD} } } mutationType { fields { ${FIELD} } } }
  }`);
  const d = r.data;
  if (!d.t) return null;
  const field = f => ({ name: f.name, description: f.description, type: ref(f.type), defaultValue: f.defaultValue,
    args: (f.args || []).map(a => ({ name: a.name, type: ref(a.type), defaultValue: a.defaultValue })) });
  const pick = (fields, names) => (fields || []).filter(f => names.includes(f.name)).map(field);
  return {
    types: [{ kind: "type", name: T, fields: d.t.fields.map(field) }, { kind: "input", name: T + "Input", fields: (d.i ? d.i.inputFields : []).map(field) }],
    query: pick(d.q.queryType.fields, [name, plural(name)]),
    mutation: pick(d.q.mutationType && d.q.mutationType.fields, ["create", "update", "delete", "restore"].map(x => x + T)),
    unresolved: [],
  };
}

const typeOfScalar = { Int: "integer", Float: "decimal", Boolean: "boolean", String: "string" };

// servedParts splits served types for drafts: the entity type of each field the API
// serves (by field name), and the members no layer declares (known: the names the
// layers declare).
export function servedParts(served, known) {
  const [obj, input] = served.types;
  const system = new Set(SYSTEM.map(([n]) => n));
  const other = f => !system.has(f.name) && !known.has(f.name);
  return {
    types: new Map(obj.fields.filter(f => typeOfScalar[f.type]).map(f => [f.name, typeOfScalar[f.type]])),
    derived: { obj: obj.fields.filter(other), input: input.fields.filter(other) },
  };
}

export function ref(t) {
  if (t.kind === "NON_NULL") return ref(t.ofType) + "!";
  if (t.kind === "LIST") return "[" + ref(t.ofType) + "]";
  return t.name;
}

// sdl prints types as SDL, members sorted by name (introspection's order is the
// server's map order), so that a draft and the served API print alike.
export function sdl(x) {
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const arg = a => a.name + ": " + a.type + (a.defaultValue != null ? " = " + a.defaultValue : "");
  const member = f => {
    const args = f.args && f.args.length ? "(" + [...f.args].sort(byName).map(arg).join(", ") + ")" : "";
    return "  " + f.name + args + ": " + f.type + (f.description ? "  # " + f.description.replace(/\s+/g, " ") : "");
  };
  const block = (kw, name, fields) => kw + " " + name + " {\n" + [...fields].sort(byName).map(member).join("\n") + "\n}";
  return [...x.types.map(t => block(t.kind, t.name, t.fields)),
    block("extend type", "Query", x.query), block("extend type", "Mutation", x.mutation)].join("\n\n");
}

// entityLayers reads the EntitySchema layers on a tenant's lineage (root first),
// with each defining tenant.
export async function entityLayers(gqlAll, path) {
  const r = await gqlAll(`query{ ${path.map((c, i) => `l${i}: resources(kind:"EntitySchema", tenant:"${c}", first:500){ nodes{ tenant name spec version } }`).join("\n")} }`);
  return { layers: path.flatMap((_, i) => ((r.data || {})["l" + i] || { nodes: [] }).nodes), errors: r.errors };
}

// fieldOrder is the entity's fields in the order its layers list them, root first;
// empty (the API's order) when the caller may not read the schemas.
export async function fieldOrder(ctx, tenant, entity) {
  const r = await ctx.gqlAll("query($t:String!){ tenant(code:$t){ ancestors{ code } } }", { t: tenant });
  if (!r.data.tenant) return [];
  const { layers } = await entityLayers(ctx.gqlAll, [...r.data.tenant.ancestors.map(a => a.code), tenant]);
  return layers.filter(l => l.name === entity).flatMap(l => (l.spec.fields || []).map(f => f.name));
}
