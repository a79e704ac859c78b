// GraphiQL against /graphql with the signed-in user's token: the schema it shows is
// the one this user's introspection answers. Its bundle (vendor/graphiql) is loaded
// only when this page is first opened.
import { h } from "../dom.js";
import { session } from "../api.js";

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

export async function render({ t }) {
  await load();
  const box = h("div#graphiql");
  const fetcher = async params => {
    const res = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + session.token },
      body: JSON.stringify(params),
    });
    return res.json();
  };
  const root = window.ReactDOM.createRoot(box);
  root.render(window.React.createElement(window.GraphiQL, { fetcher, defaultQuery: START, defaultEditorToolsVisibility: false, storage: sessionStorageFor() }));
  return h("section.graphiql-page", h("h2.sr-only", t("nav.graphiql")), box);
}

// GraphiQL keeps its tabs in sessionStorage, not localStorage, so that nothing
// outlives the browser session on a shared office computer.
function sessionStorageFor() {
  const p = "graphiql:";
  return {
    getItem: k => sessionStorage.getItem(p + k), setItem: (k, v) => sessionStorage.setItem(p + k, v),
    removeItem: k => sessionStorage.removeItem(p + k), clear: () => Object.keys(sessionStorage).filter(k => k.startsWith(p)).forEach(k => sessionStorage.removeItem(k)),
    get length() { return Object.keys(sessionStorage).filter(k => k.startsWith(p)).length; },
  };
}
