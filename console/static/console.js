"use strict";
// A first console: sign in and walk the tenant tree through the public GraphQL API.
const state = { token: sessionStorage.getItem("gdbos.token") };

async function gql(query, variables) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors && body.errors.length) throw new Error(body.errors.map(e => e.message).join("; "));
  return body.data;
}

function node(t) {
  const li = document.createElement("li");
  const b = document.createElement("button");
  b.textContent = "▸ " + t.name;
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = t.code;
  const ul = document.createElement("ul");
  b.onclick = async () => {
    if (ul.childElementCount) { ul.replaceChildren(); b.textContent = "▸ " + t.name; return; }
    const d = await gql("query($c:String!){tenant(code:$c){children{code name level}}}", { c: t.code });
    d.tenant.children.forEach(c => ul.appendChild(node(c)));
    b.textContent = "▾ " + t.name;
  };
  li.append(b, code, ul);
  return li;
}

async function showTree() {
  const d = await gql("{ me { username } tenants(level: \"province\") { nodes { code name level } } }");
  document.getElementById("who").textContent = d.me.username;
  document.getElementById("login").hidden = true;
  document.getElementById("tree").hidden = false;
  document.getElementById("logout").hidden = false;
  const ul = document.getElementById("tenants");
  ul.replaceChildren(...d.tenants.nodes.map(node));
}

document.getElementById("login").onsubmit = async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  try {
    const d = await gql("mutation($u:String!,$p:String!){login(username:$u,password:$p){token}}", { u: f.get("username"), p: f.get("password") });
    state.token = d.login.token;
    sessionStorage.setItem("gdbos.token", state.token);
    await showTree();
  } catch (e) {
    document.getElementById("login-error").textContent = e.message;
  }
};

document.getElementById("logout").onclick = async () => {
  try { await gql("mutation{logout}"); } finally {
    sessionStorage.removeItem("gdbos.token");
    location.reload();
  }
};

if (state.token) showTree().catch(() => { sessionStorage.removeItem("gdbos.token"); state.token = null; });
