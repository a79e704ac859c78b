// Import a CSV file into an entity at a tenant through the data API's bulk import
// (POST /data/{tenant}/import/{entity}?format=csv): one transaction, every row
// checked like a created record. Progress is the upload's bytes and the rows the
// server has checked (its NDJSON progress lines, asked for about fifty times per
// file with progress=N); the report
// lists every failed row with its field path. Without "continue on error" one bad
// row imports nothing, as the server has it.
import { h } from "../dom.js";
import { errorBox } from "../ui.js";
import { APIError, session } from "../api.js";
import { dataGql, dataURL, typeName, fieldOrder } from "../data.js";

const SAMPLE = 1 << 20;

export async function render(ctx) {
  const { t, params } = ctx;
  const { tenant, entity } = params;
  const T = typeName(entity);
  const [r, [mayWrite], order] = await Promise.all([dataGql(tenant, `{ __type(name: "${T}Input") { inputFields { name type { kind } } } }`),
    ctx.can(tenant, [[T, "write"]]), fieldOrder(ctx, tenant, entity)]);
  if (!r.data.__type) throw r.errors[0] || new Error(t("data.records.noentity", { entity, tenant }));
  // A template: the header of every column the import takes (manyToMany links are
  // not imported), in the schema's order, with the optional tenant column last.
  const pos = n => (order.includes(n) ? order.indexOf(n) : order.length);
  const columns = [...r.data.__type.inputFields.filter(f => f.type.kind !== "INPUT_OBJECT").map(f => f.name)
    .sort((a, b) => pos(a) - pos(b) || a.localeCompare(b)), "tenant"];
  const header = columns.join(",") + "\n";
  const template = h("a#import-template", { download: entity + ".csv", dataset: { header },
    href: URL.createObjectURL(new Blob([header], { type: "text/csv" })) }, t("data.import.template"));
  const file = h("input#import-file", { type: "file", accept: ".csv,text/csv", required: true });
  const cont = h("input#continue-on-error", { type: "checkbox" });
  const info = h("p#import-info.muted");
  const bar = h("progress#import-upload", { max: 1, value: 0 });
  const rowsBar = h("progress#import-rows", { max: 1, value: 0 });
  const progress = h("div#import-progress.progress", { hidden: true },
    h("label", t("data.import.sent"), " ", bar, h("span#import-sent")),
    h("label", t("data.import.checked"), " ", rowsBar, h("span#import-checked")));
  const report = h("div#import-report", { role: "status" });
  let rows = 0;

  file.addEventListener("change", async () => {
    report.replaceChildren();
    const f = file.files[0];
    if (!f) { info.textContent = ""; return; }
    // The rows are counted in the first megabyte and, for a larger file, estimated
    // from its size: a file of millions of rows is not read twice.
    const head = f.size > SAMPLE ? f.slice(0, SAMPLE) : f;
    const text = await head.text();
    const lines = text.split(/\r?\n/).filter(l => l.trim() !== "");
    rows = f.size > SAMPLE ? Math.round((lines.length - 1) * f.size / SAMPLE) : Math.max(0, lines.length - 1);
    info.textContent = t("data.import.file", { name: f.name, kb: (f.size / 1024).toFixed(1), rows, columns: (lines[0] || "").split(",").map(s => s.trim()).join(", ") });
  });

  const submit = h("button#import-start", { type: "submit" }, t("data.import.start"));
  const form = h("form#import-form.card", { on: { submit: ev => { ev.preventDefault(); start(); } } },
    h("label", t("data.import.choose"), " ", file, " ", template), info,
    h("label.check", cont, " ", t("data.import.continue")),
    h("p.muted", t("data.import.semantics")),
    h("div.buttons", submit), progress);

  function start() {
    const f = file.files[0];
    if (!f) return;
    report.replaceChildren();
    progress.hidden = false;
    submit.disabled = true;
    bar.value = 0; rowsBar.value = 0; rowsBar.max = Math.max(rows, 1);
    const sent = progress.querySelector("#import-sent"), checked = progress.querySelector("#import-checked");
    const xhr = new XMLHttpRequest();
    // About fifty progress lines whatever the size: the server's default is one
    // per 10,000 rows.
    const q = "format=csv&progress=" + Math.max(1, Math.ceil(rows / 50)) + (cont.checked ? "&continueOnError=true" : "");
    xhr.open("POST", dataURL(tenant, "import/" + encodeURIComponent(entity)) + "?" + q);
    xhr.setRequestHeader("Authorization", "Bearer " + session.token);
    xhr.setRequestHeader("Content-Type", "text/csv; charset=utf-8");
    xhr.upload.onprogress = e => {
      if (!e.lengthComputable) return;
      bar.max = e.total; bar.value = e.loaded;
      sent.textContent = " " + t("data.import.bytes", { kb: (e.loaded / 1024).toFixed(1), total: (e.total / 1024).toFixed(1) });
    };
    const lines = () => xhr.responseText.split("\n").filter(Boolean).flatMap(l => { try { return [JSON.parse(l)]; } catch { return []; } });
    xhr.onprogress = () => {
      const steps = lines().filter(x => x.progress != null);
      const last = steps[steps.length - 1];
      rowsBar.dataset.steps = String(steps.length);
      if (last) { rowsBar.value = last.progress; checked.textContent = " " + t("data.import.rowsChecked", { n: last.progress, rows }); }
    };
    xhr.onerror = () => { submit.disabled = false; report.replaceChildren(errorBox(new Error(t("data.import.network")))); };
    xhr.onload = () => {
      submit.disabled = false;
      const got = lines();
      const failed = got.find(x => x.errors);
      if (failed || xhr.status >= 400) {
        const e = failed ? failed.errors[0] : { message: xhr.status + " " + xhr.statusText };
        const err = new APIError(e, xhr.status);
        report.replaceChildren(errorBox(err), err.fields.length ? h("ul.errors", err.fields.map(x => h("li", h("code", x.path), " ", x.message))) : null);
        return;
      }
      const done = got.find(x => x.report);
      if (!done) { report.replaceChildren(errorBox(new Error(t("data.import.noreport")))); return; }
      const rep = done.report;
      rowsBar.max = Math.max(rep.rows, 1); rowsBar.value = rep.rows;
      checked.textContent = " " + t("data.import.rowsChecked", { n: rep.rows, rows: rep.rows });
      report.replaceChildren(renderReport(t, rep, done.seconds, tenant, entity));
    };
    xhr.send(f);
  }

  return h("section.import", { dataset: { tenant, entity } },
    h("nav.crumbs", h("a", { href: "#/entities?tenant=" + tenant }, t("data.entities.title")), " / ", h("a", { href: `#/entities/${tenant}/${entity}` }, entity), " / ", t("data.import")),
    h("h2", t("data.import.title", { type: T }), h("span.muted", " @ "), h("a", { href: "#/tenants/" + tenant }, tenant)),
    h("p.muted", t("data.import.help")),
    mayWrite === false ? h("p.error", t("data.import.mayNot", { type: T, tenant })) : form,
    report);
}

function renderReport(t, rep, seconds, tenant, entity) {
  const ok = !rep.rolledBack && !rep.failed;
  return h("div",
    h(ok ? "p.ok" : rep.rolledBack ? "p.error" : "p.warn", { id: "import-summary" },
      t(rep.rolledBack ? "data.import.rolledBack" : "data.import.done", { rows: rep.rows, imported: rep.imported, failed: rep.failed, s: (seconds || 0).toFixed(2) })),
    rep.errors && rep.errors.length ? h("table#import-errors",
      h("tr", h("th", t("data.import.row")), h("th", t("data.import.path")), h("th", t("data.import.message"))),
      rep.errors.map(e => h("tr", { dataset: { row: String(e.row) } }, h("td", String(e.row)), h("td", h("code", e.path)), h("td", e.message)))) : null,
    rep.truncated ? h("p.muted", t("data.import.truncated")) : null,
    rep.imported ? h("p", h("a#to-records", { href: `#/records/${tenant}/${entity}` }, t("data.import.see"))) : null);
}
