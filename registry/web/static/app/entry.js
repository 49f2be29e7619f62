// One entry of any kind: its properties, where it came from (who, when, which file and
// batch), its history, its relations both ways and the findings that name it.

import { el, entryHref, gql, header, run, section } from "./common.js";
import { t, term } from "./i18n.js";

const KIND = { Department: "DEPARTMENT", System: "SYSTEM", Dataset: "DATASET", Field: "FIELD", DataElement: "DATA_ELEMENT", Interface: "INTERFACE", Project: "PROJECT", Need: "NEED", ImportBatch: "IMPORT_BATCH" };
const PROV = "source batch by at";
const QUERY = `query Entry($entry: EntryInput!, $subject: String!) {
  entry(entry: $entry) {
    node { id label key name }
    properties
    created { ${PROV} } updated { ${PROV} }
    history { seq op subject changes { property old new } provenance { ${PROV} } }
    relations(first: 300) { totalCount items { type direction properties other { id label key name } } }
  }
  findings(subject: $subject, first: 100) { totalCount items { id rule family message } }
}`;

const [, , label, ...rest] = location.pathname.split("/");
const kind = decodeURIComponent(label || "");
const key = decodeURIComponent(rest.join("/"));

function value(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function provenance(title, p) {
  return el("tr", {}, el("th", {}, title), el("td", {}, p.at), el("td", {}, p.by), el("td", {}, p.source), el("td", { class: "muted" }, p.batch));
}

function table(id, head, rows) {
  return el("table", { id }, el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))), el("tbody", {}, rows));
}

header();
const main = document.querySelector("main");
main.classList.add("grid");
run(main, async () => {
  const data = await gql(QUERY, { entry: { kind: KIND[kind], key }, subject: `${kind}:${key}` });
  const entry = data.entry;
  if (!entry) {
    main.replaceChildren(section(`${term("label", kind)} ${key}`, el("p", { class: "error", id: "not-found" }, t("en.not_found"))));
    document.body.dataset.ready = "true";
    return;
  }
  const props = Object.entries(entry.properties).sort(([a], [b]) => a.localeCompare(b));
  main.replaceChildren(
    el(
      "section",
      { class: "card wide" },
      el("h2", { id: "entry-name" }, `${term("label", entry.node.label)}：${entry.node.name}`),
      el("p", {}, el("span", { class: "muted" }, entry.node.key), " · ", el("a", { href: `/explore?start=${encodeURIComponent(entry.node.id)}` }, t("nav.explore"))),
    ),
    section(t("en.properties"), table("properties", [t("en.property"), t("en.value")], props.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, value(v)))))),
    section(
      t("en.provenance"),
      table("provenance", ["", t("en.at"), t("en.by"), t("en.source"), t("en.batch")], [provenance(t("en.created"), entry.created), provenance(t("en.updated"), entry.updated)]),
    ),
    section(
      `${t("en.findings")} (${data.findings.totalCount})`,
      data.findings.items.length
        ? table(
            "entry-findings",
            [t("dash.rule"), t("dash.rule_name"), ""],
            data.findings.items.map((f) => el("tr", {}, el("td", {}, el("a", { href: `/review?rule=${encodeURIComponent(f.rule)}` }, f.rule)), el("td", {}, term("rule", f.rule)), el("td", {}, f.message))),
          )
        : el("p", { class: "muted" }, t("dash.no_findings")),
    ),
    el(
      "section",
      { class: "card wide" },
      el("h2", {}, `${t("en.relations")} (${entry.relations.totalCount})`),
      table(
        "relations",
        [t("ex.relations"), "", t("en.other")],
        entry.relations.items.map((r) =>
          el(
            "tr",
            {},
            el("td", {}, term("rel", r.type), el("span", { class: "muted" }, ` ${r.type}`)),
            el("td", {}, r.direction === "out" ? "→" : "←"),
            el("td", {}, el("a", { href: entryHref(r.other.label, r.other.key) }, r.other.name), el("span", { class: "muted" }, ` ${term("label", r.other.label)} ${r.other.key}`), Object.keys(r.properties).length ? el("span", { class: "muted" }, ` ${value(r.properties)}`) : null),
          ),
        ),
      ),
    ),
    el(
      "section",
      { class: "card wide" },
      el("h2", {}, `${t("en.history")} (${entry.history.length})`),
      table(
        "history",
        ["#", t("en.op"), t("en.subject"), t("en.changes"), t("en.at"), t("en.by"), t("en.source")],
        entry.history.map((h) =>
          el(
            "tr",
            {},
            el("td", {}, h.seq),
            el("td", {}, h.op),
            el("td", { class: "muted" }, h.subject),
            el("td", {}, h.changes.map((c) => el("div", {}, `${c.property}: ${value(c.old)} → ${value(c.new)}`))),
            el("td", {}, h.provenance.at),
            el("td", {}, h.provenance.by),
            el("td", {}, h.provenance.source),
          ),
        ),
      ),
    ),
  );
  document.body.dataset.ready = "true";
});
