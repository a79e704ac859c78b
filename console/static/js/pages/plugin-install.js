// Install or upgrade a plugin: a binary already on the server, its pinned SHA-256
// and the plugin ID it must declare, through installPlugin / upgradePlugin. A
// refusal is shown at its field (/spec/sha256, /spec/binary, /metadata/name).
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { showFieldErrors, clearFieldErrors } from "../form.js";
import { PLUGIN_FIELDS, removeButton } from "./plugins.js";

function field(path, label, help, control) {
  return h("div.field", { dataset: { path } },
    h("label", { for: control.id }, label, control.required ? h("span.req", " *") : null, help ? h("span.help", { title: help }, " ⓘ") : null),
    control, h("div.field-error", { role: "alert" }));
}

export async function render(ctx) {
  const { t, gql, gqlAll, query } = ctx;
  const root = ctx.roots[0] && ctx.roots[0].code;
  const [r, access] = await Promise.all([
    gqlAll("{ plugins{ id version } }"),
    root ? ctx.can(root, [["Plugin", "write"], ["Plugin", "delete"]]) : [false, false],
  ]);
  const [mayWrite, mayRemove] = access;
  const installed = r.data.plugins || [];
  const upgrading = installed.find(p => p.id === query.get("upgrade"));
  const head = h("nav.crumbs", h("a", { href: "#/plugins" }, t("plugins.title")), " / ", upgrading ? t("plugins.upgradeOf", { id: upgrading.id }) : t("plugins.install"));
  if (mayWrite === false) {
    return h("section", head, h("h2", t("plugins.install")), r.errors.map(errorBox), h("p.muted#install-refused", t("plugins.mayNotInstall")));
  }

  const mode = h("select#plugin-mode", { name: "mode" },
    h("option", { value: "install", selected: !upgrading }, t("plugins.mode.install")),
    installed.map(p => h("option", { value: p.id, selected: upgrading === p }, t("plugins.mode.upgrade", { id: p.id, version: p.version }))));
  const id = h("input#plugin-id", { name: "/metadata/name", value: upgrading ? upgrading.id : "", placeholder: "credit-check", autocomplete: "off", spellcheck: false });
  const binary = h("input#plugin-binary", { name: "/spec/binary", required: true, placeholder: "/opt/gdbos/plugins/credit-check", spellcheck: false });
  const sha = h("input#plugin-sha256", { name: "/spec/sha256", required: true, placeholder: "sha256sum", size: 70, spellcheck: false, autocomplete: "off" });
  const timeout = h("input#plugin-timeout", { name: "/spec/timeoutMs", type: "number", min: 1, step: 1, placeholder: "2000" });
  const concurrency = h("input#plugin-concurrency", { name: "/spec/concurrency", type: "number", min: 1, step: 1, placeholder: "64" });
  mode.addEventListener("change", () => { id.value = mode.value === "install" ? "" : mode.value; });
  const status = h("div.status", { role: "status" });
  const form = h("form#plugin-install.resource-form", { novalidate: true },
    field("/mode", t("plugins.mode"), null, mode),
    field("/metadata/name", t("plugins.id"), t("plugins.idHelp"), id),
    field("/spec/binary", t("plugins.binary"), t("plugins.binaryHelp"), binary),
    field("/spec/sha256", t("plugins.sha256"), t("plugins.sha256Help"), sha),
    h("div.row", field("/spec/timeoutMs", t("plugins.timeoutMs"), t("plugins.timeoutHelp"), timeout),
      field("/spec/concurrency", t("plugins.concurrency"), t("plugins.concurrencyHelp"), concurrency)),
    h("div.buttons", h("button#plugin-submit", { type: "submit" }, upgrading ? t("plugins.upgrade") : t("plugins.install")),
      upgrading && mayRemove !== false ? removeButton(ctx, upgrading.id, status, () => { location.hash = "#/plugins"; }) : null),
    status);
  mode.addEventListener("change", () => { form.querySelector("#plugin-submit").textContent = mode.value === "install" ? t("plugins.install") : t("plugins.upgrade"); });

  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    clearFieldErrors(form);
    status.replaceChildren();
    const upgrade = mode.value !== "install";
    const vars = {
      b: binary.value.trim(), s: sha.value.trim().toLowerCase(), id: id.value.trim() || null,
      to: timeout.value ? Number(timeout.value) : null, c: concurrency.value ? Number(concurrency.value) : null,
    };
    try {
      const d = await gql(`mutation($b:String!,$s:String!,$id:String,$to:Int,$c:Int){
          p: ${upgrade ? "upgradePlugin" : "installPlugin"}(binary:$b, sha256:$s, id:$id, timeoutMs:$to, concurrency:$c){ ${PLUGIN_FIELDS} } }`, vars);
      const p = d.p;
      status.append(h("p.ok#plugin-installed", t(upgrade ? "plugins.upgraded" : "plugins.installed", { id: p.id, version: p.version }), " ",
        h("a", { href: `#/plugins/${p.id}/grants` }, t("plugins.grantNext")), " · ", h("a", { href: "#/plugins" }, t("plugins.title"))));
    } catch (e) {
      const rest = e.fields && e.fields.length ? showFieldErrors(form, e.fields, f => [f.message, " ", h("code.code", e.code)]) : [];
      status.append(errorBox(e));
      rest.forEach(f => status.append(h("p.error", f.path + ": " + f.message)));
    }
  });
  return h("section", head, h("h2", upgrading ? t("plugins.upgradeOf", { id: upgrading.id }) : t("plugins.install")),
    r.errors.map(errorBox), h("p.muted", t("plugins.installHelp")), form);
}
