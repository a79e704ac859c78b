// The plugin catalog: each installed plugin with what its manifest declares (version,
// SHA-256, binary, capabilities, permissions asked) and its health (running or not,
// last start, restarts, recent faults, calls and errors) from pluginHealth.
import { h } from "../dom.js";
import { errorBox, fmtTime } from "../ui.js";
import { lang } from "../i18n.js";

export const PLUGIN_FIELDS = "id namespace version title binary sha256 capabilities permissions";
const HEALTH_FIELDS = `plugin state running startedAt nextAttemptAt crashesInARow lastError starts failedStarts crashes
  calls errors timeouts badResponses unavailable meanCallMs logLinesDropped faults{ at op kind message }`;

// rerender draws the current route again (after a change made on it).
export function rerender() { window.dispatchEvent(new HashChangeEvent("hashchange")); }

// removeButton removes plugin id with its grants, after the user confirms.
export function removeButton(ctx, id, status, then) {
  const { t, gql } = ctx;
  return h("button.danger.remove-plugin", { type: "button", dataset: { plugin: id }, on: { click: async () => {
    if (!confirm(t("plugins.confirmRemove", { id }))) return;
    try {
      await gql("mutation($id:String!){ removePlugin(id:$id) }", { id });
      then();
    } catch (e) { status.replaceChildren(errorBox(e)); }
  } } }, t("plugins.remove"));
}

function stateBadge(t, state) {
  return h("span.badge.state.state-" + state, { dataset: { state } }, t("plugins.state." + state));
}

function row(label, ...value) { return h("tr", h("th", label), h("td", ...value)); }

function healthCard(t, x) {
  if (!x) return h("p.muted", t("plugins.noHealth"));
  const num = (k, v, warn) => h("div.figure" + (warn && v > 0 ? ".warn" : ""), { dataset: { figure: k } }, h("strong", String(v)), h("span", t("plugins.h." + k)));
  const next = x.state === "restarting" ? (x.nextAttemptAt ? t("plugins.nextAt", { at: fmtTime(x.nextAttemptAt, lang) }) : t("plugins.nextNow")) : null;
  return h("div.health", { dataset: { plugin: x.plugin } },
    h("p.health-state", { dataset: { state: x.state } },
      x.startedAt ? t("plugins.startedAt", { at: fmtTime(x.startedAt, lang) }) : (x.state === "idle" ? t("plugins.idleHelp") : ""),
      next ? h("span.muted", next) : null),
    h("div.figures",
      num("calls", x.calls), num("errors", x.errors, true), num("timeouts", x.timeouts, true), num("badResponses", x.badResponses, true),
      num("unavailable", x.unavailable, true), num("crashes", x.crashes, true), num("starts", x.starts), num("failedStarts", x.failedStarts, true),
      h("div.figure", { dataset: { figure: "meanCallMs" } }, h("strong", x.meanCallMs == null ? "–" : x.meanCallMs.toFixed(x.meanCallMs < 10 ? 2 : 0)), h("span", t("plugins.h.meanCallMs")))),
    x.crashesInARow > 1 && x.state !== "running" ? h("p.warn", t("plugins.crashesInARow", { n: x.crashesInARow })) : null,
    x.lastError ? h("p.last-error.muted", t("plugins.lastError"), ": ", h("code", x.lastError)) : null,
    x.logLinesDropped ? h("p.muted", t("plugins.logsDropped", { n: x.logLinesDropped })) : null,
    x.faults.length
      ? h("details.faults", { open: x.faults.length <= 5 },
        h("summary", t("plugins.faults", { n: x.faults.length })),
        h("table.faults", h("tr", h("th", t("plugins.f.at")), h("th", t("plugins.f.kind")), h("th", t("plugins.f.op")), h("th", t("plugins.f.message"))),
          x.faults.map(f => h("tr", { dataset: { kind: f.kind } },
            h("td", fmtTime(f.at, lang)), h("td", t("plugins.kind." + f.kind)), h("td", f.op || "–"), h("td", h("code", f.message))))))
      : h("p.muted.no-faults", t("plugins.noFaults")));
}

export async function render(ctx) {
  const { t, gqlAll } = ctx;
  const root = ctx.roots[0] && ctx.roots[0].code;
  const [r, access] = await Promise.all([
    gqlAll(`{ plugins{ ${PLUGIN_FIELDS} } pluginHealth{ ${HEALTH_FIELDS} } }`),
    root ? ctx.can(root, [["Plugin", "write"], ["Plugin", "delete"], ["PluginGrant", "read"]]) : [false, false, false],
  ]);
  const [mayInstall, mayRemove, mayReadGrants] = access;
  const plugins = r.data.plugins || [];
  const health = Object.fromEntries((r.data.pluginHealth || []).map(x => [x.plugin, x]));
  const status = h("div.status", { role: "status" });
  return h("section.plugins",
    h("h2", t("plugins.title")),
    h("div.toolbar",
      mayInstall !== false ? h("a.button#install-plugin", { href: "#/plugins/install" }, t("plugins.install")) : null,
      h("button#refresh", { type: "button", on: { click: rerender } }, t("plugins.refresh")),
      h("span.muted", t("plugins.since"))),
    r.errors.map(errorBox),
    status,
    r.data.plugins && !plugins.length ? h("p.muted#no-plugins", t("plugins.none")) : null,
    h("div#plugins", plugins.map(p => h("article.card.plugin", { dataset: { plugin: p.id } },
      h("h3", p.title || p.id, h("span.code", p.id), h("span.badge", "v" + p.version), health[p.id] ? stateBadge(t, health[p.id].state) : null),
      h("div.plugin-body",
        h("table.manifest",
          row(t("plugins.namespace"), h("code", p.namespace)),
          row(t("plugins.sha256"), h("code.sha", p.sha256)),
          row(t("plugins.binary"), h("code.binary", p.binary)),
          row(t("plugins.capabilities"), (p.capabilities || []).map(c => h("span.badge.cap", t("plugins.cap." + c)))),
          row(t("plugins.permissions"), (p.permissions || []).length ? (p.permissions || []).map(x => h("span.badge.perm", x)) : h("span.muted", t("plugins.noPermissions")))),
        healthCard(t, health[p.id])),
      h("div.buttons",
        mayReadGrants !== false ? h("a.button.grants", { href: `#/plugins/${p.id}/grants` }, t("plugins.grants")) : null,
        mayInstall !== false ? h("a.button.upgrade", { href: `#/plugins/install?upgrade=${encodeURIComponent(p.id)}` }, t("plugins.upgrade")) : null,
        mayRemove !== false ? removeButton(ctx, p.id, status, rerender) : null)))));
}
