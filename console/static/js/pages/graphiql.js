// GraphiQL against /graphql, or with ?tenant=CODE against that tenant's data API
// (/data/CODE/graphql; &entity=NAME opens a query of its records), with the
// signed-in user's token: the schema it shows is the one this user's introspection
// answers. Its bundle (vendor/graphiql) is loaded only when this page is first opened.
import { h } from "../dom.js";
import { session } from "../api.js";
import { dataGql, dataURL, plural, typeName } from "../data.js";

let loading;
function load() {
  loading ??= (async () => {
    document.head.append(h("link", { rel: "stylesheet", href: "vendor/graphiql/graphiql.min.css" }));
    for (const src of ["react.production.min.js", "react-dom.production.min.js", "graphiql.min.js"]) {
      await new Promise((ok, fail) => {
        const s = h("script", { src: "vendor/graphiql/" + src });
        s.onload = ok;
        s.onerror = () => fail(new Error("cannot load " + src));
        document.head.append(s);
      });
    }
  })();
  return loading;
}

const START = `# GDBOS GraphQL
{
  me { username homeTenant }
  tenants(level: "province") { nodes { code name } }
}
`;

// entityQuery lists an entity's records with every scalar field the API serves.
async function entityQuery(tenant, entity) {
  const r = await dataGql(tenant, `{ __type(name: "${typeName(entity)}") { fields { name type { kind ofType { kind } } } } }`);
  const scalar = f => f.type.kind === "SCALAR" || (f.type.kind === "NON_NULL" && f.type.ofType.kind === "SCALAR");
  const quiet = ["createdAt", "createdBy", "updatedBy", "deletedAt", "version"];
  const fields = r.data.__type ? r.data.__type.fields.filter(f => scalar(f) && !quiet.includes(f.name)).map(f => f.name) : ["id", "tenant"];
  return `# ${typeName(entity)} @ ${tenant}\n{\n  ${plural(entity)}(first: 20) {\n    totalCount\n    nodes { ${fields.join(" ")} }\n  }\n}\n`;
}

export async function render({ t, query }) {
  const tenant = query.get("tenant") || "";
  const entity = query.get("entity") || "";
  const endpoint = tenant ? dataURL(tenant, "graphql") : "/graphql";
  const [, initial] = await Promise.all([load(), tenant && entity ? entityQuery(tenant, entity) : null]);
  const box = h("div#graphiql");
  const fetcher = async params => {
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + session.token },
      body: JSON.stringify(params),
    });
    return res.json();
  };
  const root = window.ReactDOM.createRoot(box);
  const props = { fetcher, defaultQuery: tenant ? `# ${endpoint}\n{ _entities }\n` : START, defaultEditorToolsVisibility: false, storage: sessionStorageFor(tenant) };
  if (initial) props.query = initial;
  root.render(window.React.createElement(window.GraphiQL, props));
  const pick = h("form#graphiql-endpoint.endpoint", { on: { submit: ev => {
    ev.preventDefault();
    const v = ev.target.tenant.value.trim();
    location.hash = "#/graphiql" + (v ? "?tenant=" + encodeURIComponent(v) : "");
  } } }, h("label", t("data.graphiql.endpoint"), " ", h("code#graphiql-url", endpoint)), " ",
  h("input", { name: "tenant", value: tenant, size: 8, placeholder: t("data.graphiql.tenant"), "aria-label": t("data.graphiql.tenant") }),
  h("button", { type: "submit" }, t("data.graphiql.switch")));
  return h("section.graphiql-page", h("h2.sr-only", t("nav.graphiql")), pick, box);
}

// GraphiQL keeps its tabs in sessionStorage, not localStorage, so that nothing
// outlives the browser session on a shared office computer.
// Each endpoint keeps its own tabs: a data API's queries do not run on /graphql.
function sessionStorageFor(tenant) {
  const p = tenant ? "graphiql@" + tenant + ":" : "graphiql:";
  return {
    getItem: k => sessionStorage.getItem(p + k), setItem: (k, v) => sessionStorage.setItem(p + k, v),
    removeItem: k => sessionStorage.removeItem(p + k), clear: () => Object.keys(sessionStorage).filter(k => k.startsWith(p)).forEach(k => sessionStorage.removeItem(k)),
    get length() { return Object.keys(sessionStorage).filter(k => k.startsWith(p)).length; },
  };
}
