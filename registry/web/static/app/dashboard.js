// The dashboard: what the registry holds, what it found, who shares with whom, where the
// systems run. One GraphQL request of server-side aggregates; every number links to the
// list behind it.

import { el, entryHref, fmt, gql, header, run, section } from "./common.js";
import { t, term } from "./i18n.js";

const QUERY = `query Dashboard {
  stats { nodes { name count } }
  dashboard {
    findingsByRule { rule family count confirmed dismissed }
    trend(last: 12) { batches series { rule counts } }
    zones { network secrecyLevel systems }
    matrix(top: 25) { departments { code name } cells { provider consumer datasets } total shown departmentsTotal }
    departments(first: 50) {
      totalCount
      items { code name systems datasets findings systemsByNetwork { key count } datasetsByShareType { key count } }
    }
  }
}`;

const KINDS = ["Department", "System", "Dataset", "Field", "DataElement", "Interface", "Project", "Need"];
const NETWORKS = ["intranet", "extranet", "private", "internet", ""];
const SECRECY = ["none", "secret", "confidential", "top_secret"];

function listHref(kind, filters = {}) {
  const query = new URLSearchParams({ kind, ...filters });
  return `/list?${query}`;
}

function counts(stats) {
  const byName = Object.fromEntries(stats.nodes.map((n) => [n.name, n.count]));
  return section(
    t("dash.counts"),
    el(
      "div",
      { class: "counts", id: "counts" },
      KINDS.filter((k) => byName[k] !== undefined).map((kind) =>
        el(
          "a",
          { href: listHref(kind), dataset: { kind } },
          el("span", { class: "n" }, fmt(byName[kind])),
          el("span", { class: "k" }, term("label", kind)),
        ),
      ),
    ),
  );
}

// A sparkline of a rule's findings after each import batch (server-side counts).
function sparkline(counts, batches) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const width = 90;
  const height = 20;
  svg.setAttribute("class", "trend");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  if (!counts || counts.length < 2) return svg;
  const top = Math.max(...counts, 1);
  const points = counts.map((c, i) => `${((i * (width - 4)) / (counts.length - 1) + 2).toFixed(1)},${(height - 2 - (c * (height - 4)) / top).toFixed(1)}`);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", points.join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#b3261e");
  line.setAttribute("stroke-width", "1.5");
  const title = document.createElementNS(ns, "title");
  title.textContent = counts.map((c, i) => `${batches[i]}: ${c}`).join("\n");
  svg.append(title, line);
  return svg;
}

function findings(rows, trend) {
  if (!rows.length) return section(t("dash.findings"), el("p", { class: "muted" }, t("dash.no_findings")));
  const most = Math.max(...rows.map((r) => r.count), 1);
  const series = new Map(trend.series.map((s) => [s.rule, s.counts]));
  return section(
    t("dash.findings"),
    el(
      "table",
      { id: "findings-by-rule" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, t("dash.rule")),
          el("th", {}, t("dash.rule_name")),
          el("th", { class: "num" }, t("dash.count")),
          el("th", { class: "num" }, t("dash.confirmed")),
          el("th", { title: t("dash.trend_help") }, t("dash.trend")),
        ),
      ),
      el(
        "tbody",
        {},
        rows.map((r) =>
          el(
            "tr",
            { dataset: { rule: r.rule } },
            el("td", {}, r.rule),
            el(
              "td",
              {},
              term("rule", r.rule),
              term("rule", r.rule) === term("family", r.family) ? null : el("span", { class: "muted" }, ` · ${term("family", r.family)}`),
            ),
            el(
              "td",
              { class: "num" },
              el("a", { href: `/review?status=&rule=${encodeURIComponent(r.rule)}` }, fmt(r.count)),
              el("span", { class: "bar", style: `width:${Math.max(2, (60 * r.count) / most)}px` }),
            ),
            el("td", { class: "num" }, r.confirmed ? el("a", { href: `/review?status=confirmed&rule=${encodeURIComponent(r.rule)}` }, fmt(r.confirmed)) : "0"),
            el("td", {}, sparkline(series.get(r.rule), trend.batches)),
          ),
        ),
      ),
    ),
  );
}

function heat(n, most) {
  if (!n) return "#ffffff";
  const share = Math.sqrt(n / most);
  const light = Math.round(96 - share * 56);
  return `hsl(4, 70%, ${light}%)`;
}

function matrix(view) {
  if (!view.departments.length) return section(t("dash.matrix"), el("p", { class: "muted" }, t("dash.matrix_empty")));
  const cells = new Map(view.cells.map((c) => [`${c.provider}|${c.consumer}`, c.datasets]));
  const most = Math.max(...view.cells.map((c) => c.datasets));
  const depts = view.departments;
  const table = el(
    "table",
    { id: "matrix" },
    el("thead", {}, el("tr", {}, el("th", {}, t("dash.provider")), depts.map((d) => el("th", { class: "col", title: d.code }, d.name)))),
    el(
      "tbody",
      {},
      depts.map((p) =>
        el(
          "tr",
          {},
          el("th", { class: "row" }, el("a", { href: entryHref("Department", p.code) }, p.name)),
          depts.map((c) => {
            const n = cells.get(`${p.code}|${c.code}`) || 0;
            const style = `background:${heat(n, most)};color:${n && Math.sqrt(n / most) > 0.6 ? "white" : "inherit"}`;
            const href = `/explore?from=${encodeURIComponent(`Department:${p.code}`)}&to=${encodeURIComponent(`Department:${c.code}`)}`;
            return el("td", { style, title: `${p.name} → ${c.name}: ${n}` }, n ? el("a", { href }, fmt(n)) : "");
          }),
        ),
      ),
    ),
  );
  return el(
    "section",
    { class: "card wide" },
    el("h2", {}, t("dash.matrix")),
    el("p", { class: "muted" }, t("dash.matrix_shown", { n: depts.length, m: view.departmentsTotal, s: fmt(view.shown), t: fmt(view.total) })),
    el("div", { class: "heatmap" }, table),
  );
}

function zones(rows) {
  const count = new Map(rows.map((z) => [`${z.network}|${z.secrecyLevel}`, z.systems]));
  const networks = NETWORKS.filter((n) => rows.some((z) => z.network === n));
  const levels = SECRECY.filter((s) => rows.some((z) => z.secrecyLevel === s));
  const filters = (network, level) => {
    const f = {};
    if (network) f.network = network.toUpperCase();
    if (level) f.secrecyLevel = level.toUpperCase();
    return f;
  };
  return section(
    t("dash.zones"),
    el(
      "table",
      { id: "zones" },
      el("thead", {}, el("tr", {}, el("th", {}, t("dash.network")), levels.map((s) => el("th", { class: "num" }, term("secrecy", s))))),
      el(
        "tbody",
        {},
        networks.map((n) =>
          el(
            "tr",
            {},
            el("th", {}, term("network", n)),
            levels.map((s) => {
              const c = count.get(`${n}|${s}`) || 0;
              return el("td", { class: "num" }, c && n ? el("a", { href: listHref("System", filters(n, s)) }, fmt(c)) : c ? fmt(c) : "");
            }),
          ),
        ),
      ),
    ),
  );
}

function chips(prefix, counts) {
  return el(
    "span",
    { class: "chips" },
    counts.map((c) => el("span", {}, `${term(prefix, c.key)} ${fmt(c.count)}`)),
  );
}

function departments(page) {
  const rows = page.items;
  return el(
    "section",
    { class: "card wide" },
    el("h2", {}, t("dash.departments")),
    el(
      "table",
      { id: "departments" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", {}, t("dash.department")),
          el("th", { class: "num" }, t("dash.systems")),
          el("th", {}, ""),
          el("th", { class: "num" }, t("dash.datasets")),
          el("th", {}, ""),
          el("th", { class: "num" }, t("dash.open_findings")),
        ),
      ),
      el(
        "tbody",
        {},
        rows.map((d) =>
          el(
            "tr",
            { dataset: { code: d.code } },
            el("td", {}, el("a", { href: entryHref("Department", d.code) }, d.name)),
            el("td", { class: "num" }, el("a", { href: listHref("System", { department: d.code }) }, fmt(d.systems))),
            el("td", {}, chips("network", d.systemsByNetwork)),
            el("td", { class: "num" }, el("a", { href: listHref("Dataset", { department: d.code }) }, fmt(d.datasets))),
            el("td", {}, chips("share", d.datasetsByShareType)),
            el("td", { class: "num" }, d.findings ? el("a", { href: `/review?status=&department=${encodeURIComponent(d.code)}` }, fmt(d.findings)) : "0"),
          ),
        ),
      ),
    ),
    page.totalCount > rows.length ? el("p", { class: "muted" }, t("dash.more_departments", { n: page.totalCount - rows.length })) : null,
  );
}

header();
const main = document.querySelector("main");
main.classList.add("grid");
run(main, async () => {
  const data = await gql(QUERY);
  const d = data.dashboard;
  main.replaceChildren(counts(data.stats), findings(d.findingsByRule, d.trend), zones(d.zones), matrix(d.matrix), departments(d.departments));
  document.body.dataset.ready = "true";
});
