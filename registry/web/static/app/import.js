// The import page: an editor uploads a department's catalogue (CSV/XLSX), sees the dry
// run's per-cell report before anything is written, then confirms. Both steps are the API's
// importCatalogue mutation (dryRun first), so the page checks exactly what the CLI checks.

import { el, fmt, gqlUpload, header, run, section } from "./common.js";
import { t } from "./i18n.js";

const IMPORT = `mutation Import($file: Upload!, $dryRun: Boolean!) {
  importCatalogue(file: $file, dryRun: $dryRun) {
    written dryRun batch created updated unchanged retired rejected
    issues { file row column value reason severity }
  }
}`;

function summary(result) {
  const parts = ["created", "updated", "unchanged", "retired", "rejected"].map((k) =>
    el("span", { "data-count": k }, `${t(`im.${k}`)} ${fmt(result[k])}`),
  );
  return el("p", { class: "summary", id: "import-summary" }, ...parts);
}

function issues(list) {
  if (!list.length) return el("p", { class: "muted", id: "no-issues" }, t("im.no_issues"));
  return el(
    "table",
    { id: "issues" },
    el("thead", {}, el("tr", {}, ["im.file", "im.row", "im.column", "im.value", "im.reason"].map((k) => el("th", {}, t(k))))),
    el(
      "tbody",
      {},
      list.map((i) =>
        el(
          "tr",
          { class: `issue-${i.severity}` },
          el("td", {}, i.file),
          el("td", { class: "num" }, i.row ?? ""),
          el("td", {}, i.column ?? ""),
          el("td", {}, i.value ?? ""),
          el("td", {}, i.severity === "error" ? "" : `${t("im.warning")} `, i.reason),
        ),
      ),
    ),
  );
}

header();
const main = document.querySelector("main");
run(main, async () => {
  const input = el("input", { type: "file", id: "import-file", accept: ".csv,.xlsx" });
  const report = el("div", { id: "import-report" });
  const confirm = el("button", { type: "button", id: "import-confirm", class: "primary", disabled: true }, t("im.confirm"));
  const check = el("button", { type: "button", id: "import-check" }, t("im.check"));
  const status = el("p", { id: "import-status", role: "status" });
  const error = el("p", { class: "error", id: "import-error", role: "alert" });
  let checked = null;

  const send = async (dryRun) => {
    error.textContent = "";
    const file = input.files[0];
    if (!file) {
      error.textContent = t("im.choose");
      return null;
    }
    try {
      return (await gqlUpload(IMPORT, { dryRun }, file)).importCatalogue;
    } catch (e) {
      error.textContent = e.message;
      return null;
    }
  };
  check.addEventListener("click", async () => {
    confirm.disabled = true;
    status.textContent = t("loading");
    const result = await send(true);
    status.textContent = "";
    if (!result) return;
    const errors = result.issues.filter((i) => i.severity === "error");
    checked = errors.length ? null : input.files[0];
    confirm.disabled = !checked;
    status.textContent = errors.length ? t("im.refused", { n: errors.length }) : t("im.ready");
    report.replaceChildren(summary(result), issues(result.issues));
  });
  confirm.addEventListener("click", async () => {
    if (!checked || checked !== input.files[0]) return;
    confirm.disabled = true;
    const result = await send(false);
    if (!result) return;
    status.textContent = result.written ? t("im.written", { batch: result.batch ?? "—" }) : t("im.not_written");
    report.replaceChildren(summary(result), issues(result.issues));
    checked = null;
  });
  input.addEventListener("change", () => {
    checked = null;
    confirm.disabled = true;
    report.replaceChildren();
    status.textContent = "";
  });
  main.replaceChildren(
    section(
      t("nav.import"),
      el("p", { class: "muted" }, t("im.help")),
      el("div", { class: "dropzone" }, input, " ", check, " ", confirm),
      status,
      error,
      report,
    ),
  );
  document.body.dataset.ready = "true";
});
