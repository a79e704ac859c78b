// The bootstrap superadmin's one task: appoint the system, security and audit
// administrators (三员) at a root tenant, as `gdbos appoint` does. Once all three
// exist the superadmin is disabled, and the console signs it out.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { session } from "../api.js";

const duties = [
  { key: "system", role: "system-admin" },
  { key: "security", role: "security-admin" },
  { key: "audit", role: "audit-admin" },
];

export async function render({ t, gql, gqlAll, roots, user }) {
  if (!user.superadmin) return h("section", h("h2", t("appoint.title")), h("p.muted", t("appoint.onlySuperadmin")));
  const rootSel = h("select", { name: "tenant" }, roots.map(r => h("option", { value: r.code }, r.name + " " + r.code)));
  const holders = h("div#appoint-holders");
  const holderTable = held => h("table",
    h("tr", h("th", t("appoint.duty")), h("th", t("appoint.holder"))),
    duties.map((d, i) => h("tr", h("td", t("appoint." + d.key)), h("td", held[i].length ? held[i].join(", ") : h("span.warn", t("appoint.vacant"))))));
  const showHolders = async () => {
    const r = await gqlAll(`query($t:String!){ ${duties.map(d => `${d.key}: resource(kind:"RoleBinding", tenant:$t, name:"${d.role}"){ spec }`).join(" ")} }`, { t: rootSel.value });
    holders.replaceChildren(holderTable(duties.map(d => (r.data[d.key]?.spec?.subjects || []).map(s => s.name))),
      ...r.errors.filter(e => e.code !== "NOT_FOUND").map(errorBox)); // no binding yet: vacant
  };
  rootSel.addEventListener("change", () => showHolders().catch(e => holders.replaceChildren(errorBox(e))));
  await showHolders();

  const slot = name => h("div.field-error", { dataset: { for: name } });
  const input = (name, attrs) => h("label.appoint-field", { dataset: { field: name } }, t("appoint.field." + name), h("input", { name, required: true, ...attrs }), slot(name));
  const status = h("div#appoint-status", { "aria-live": "polite" });
  const form = h("form#appoint.card",
    h("label", t("appoint.tenant"), " ", rootSel),
    duties.map(d => input(d.key, { autocomplete: "off", pattern: "[a-z][a-z0-9._\\-]{1,63}", title: t("appoint.usernameRule") })),
    input("password", { type: "password", autocomplete: "new-password", minlength: 8 }),
    input("password2", { type: "password", autocomplete: "new-password", minlength: 8 }),
    h("p.muted", t("appoint.passwordNote")),
    h("button#appoint-submit", { type: "submit" }, t("appoint.submit")),
    status);

  const fieldError = (name, msg) => {
    const s = form.querySelector(`[data-for="${name}"]`);
    s.replaceChildren(h("div", msg));
    s.closest("label").classList.add("invalid");
  };
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    form.querySelectorAll(".field-error").forEach(s => s.replaceChildren());
    form.querySelectorAll(".invalid").forEach(l => l.classList.remove("invalid"));
    status.replaceChildren();
    const f = new FormData(form);
    const names = duties.map(d => String(f.get(d.key)).trim());
    let bad = false;
    duties.forEach((d, i) => {
      const same = duties.find((o, j) => j < i && names[j] === names[i]);
      if (same) { fieldError(d.key, t("appoint.sameperson", { other: t("appoint." + same.key) })); bad = true; }
    });
    if (f.get("password") !== f.get("password2")) { fieldError("password2", t("appoint.mismatch")); bad = true; }
    if (bad) return;
    const tenant = rootSel.value;
    const button = form.querySelector("#appoint-submit");
    button.disabled = true;
    try {
      // The users first (one that exists is bound as it is), then the three bindings
      // in one all-or-nothing apply, which the server checks for the separation of duties.
      for (const [i, d] of duties.entries()) {
        try {
          await gql("mutation($u:String!,$p:String!,$t:String!){ createUser(input:{username:$u, password:$p, homeTenant:$t}){ id } }",
            { u: names[i], p: f.get("password"), t: tenant });
          status.append(h("p.ok", t("appoint.created", { user: names[i] })));
        } catch (e) {
          if (e.code !== "CONFLICT") { fieldError(d.key, e.message); status.append(errorBox(e)); return; }
          status.append(h("p.muted", t("appoint.exists", { user: names[i] })));
        }
      }
      const objects = duties.map((d, i) => ({
        apiVersion: "gdbos.io/v1", kind: "RoleBinding",
        metadata: { tenant, name: d.role },
        spec: { role: d.role, subjects: [{ kind: "User", name: names[i] }] },
      }));
      try {
        await gql("mutation($o:[JSON!]){ applyResources(objects:$o){ op } }", { o: objects });
      } catch (e) {
        // The server's refusal (the separation of duties, a binding it cannot take) as it came.
        status.append(errorBox(e));
        return;
      }
      status.append(h("p.ok#appoint-done", t("appoint.done", { system: names[0], security: names[1], audit: names[2], tenant })),
        h("button#appoint-signout", { type: "button", on: { click: signOutRetired } }, t("appoint.signout")));
      // No more requests: the superadmin is retired, its session ended.
      holders.replaceChildren(holderTable(names.map(n => [n])));
    } finally {
      button.disabled = false;
    }
  });

  return h("section.appoint",
    h("h2", t("appoint.title")),
    h("p", t("appoint.intro")),
    h("h3", t("appoint.current")), holders,
    form);
}

// signOutRetired forgets the retired superadmin's session, which the server has
// ended already (a logout would be refused), and starts the console afresh.
function signOutRetired() {
  session.token = null;
  location.hash = "";
  location.reload();
}
