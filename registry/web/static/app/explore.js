// The dependency explorer: start from a searched entry, expand neighbours on click, filter
// by relation, see lineage and impact highlighted, find how data gets from A to B, export
// the view. Drawn with cytoscape (vendored, with the fcose layout); every entry and edge
// comes from /graphql with the caller's token.

import { download, el, entryHref, gql, header, run } from "./common.js";
import { t, term } from "./i18n.js";

/* global cytoscape, cytoscapeFcose */

const RELATIONS = ["OPERATES", "PROVIDES", "HOLDS", "SHARED_WITH", "HAS_FIELD", "DERIVED_FROM", "MEANS", "EXPOSED_VIA", "NEEDS", "FOR", "BUILDS", "LED_BY", "CO_BUILT_BY"];
const KIND = { Department: "DEPARTMENT", System: "SYSTEM", Dataset: "DATASET", Field: "FIELD", DataElement: "DATA_ELEMENT", Interface: "INTERFACE", Project: "PROJECT", Need: "NEED", ImportBatch: "IMPORT_BATCH" };
const ZONE_COLOUR = { intranet: "#d64541", extranet: "#3b82c4", private: "#e69b22", internet: "#3aa669" };
const KIND_COLOUR = { Department: "#7e6bc4", System: "#c8d1dc", Dataset: "#aab7c4", Field: "#e3e8ee", DataElement: "#b7a68a", Interface: "#c8d1dc", Project: "#8fb3a7", Need: "#ffffff", ImportBatch: "#ffffff" };
const SHAPE = { Department: "round-rectangle", System: "hexagon", Dataset: "ellipse", Field: "round-tag", DataElement: "diamond", Interface: "vee", Project: "star", Need: "triangle", ImportBatch: "rectangle" };
const BORDER = { none: 1, secret: 4, confidential: 6, top_secret: 8 };
const NODE_FIELDS = "id label key name network secrecyLevel shareType";

const NEIGHBOURS = `query Neighbours($entries: [EntryInput!]!, $relations: [String!], $limit: Int!) {
  neighbourhood(entries: $entries, relations: $relations, limit: $limit) {
    nodes { ${NODE_FIELDS} } edges { id type source target } more { id more }
  }
}`;
const SUGGEST = `query Suggest($text: String!) { suggest(text: $text, limit: 12) { kind key name departmentName } }`;
const ENTRIES = `query Entries($entries: [EntryInput!]!) { entries(entries: $entries) { ${NODE_FIELDS} } }`;
const PATHS = `query Paths($source: EntryInput!, $target: EntryInput!) {
  dataPaths(source: $source, target: $target) { paths graph { nodes { ${NODE_FIELDS} } edges { id type source target } } }
}`;
const LINEAGE = `query Lineage($key: String!, $kind: NodeKind, $direction: Direction!) {
  lineage(key: $key, kind: $kind, direction: $direction, depth: 6) { steps { field fieldName dataset datasetName direction via } }
}`;
const IMPACT = `query Impact($key: String!, $kind: NodeKind) {
  impact(key: $key, kind: $kind) { message datasetsLost derivedDatasets systems departments needs }
}`;

if (typeof cytoscapeFcose !== "undefined") cytoscape.use(cytoscapeFcose);

const state = { relations: new Set(RELATIONS), more: new Map(), from: null, to: null, selected: null };
// ?relations=PROVIDES,HAS_FIELD: a view that starts filtered (a link to it shows the same view)
const chosenRelations = new URLSearchParams(location.search).get("relations");
if (chosenRelations) state.relations = new Set(chosenRelations.split(",").filter((r) => RELATIONS.includes(r)));

function entry(id) {
  const at = id.indexOf(":");
  return { kind: KIND[id.slice(0, at)], key: id.slice(at + 1) };
}

function nodeData(n) {
  return {
    id: n.id,
    label: n.label,
    key: n.key,
    name: n.name,
    network: n.network || "",
    secrecy: n.secrecyLevel || "none",
    shareType: n.shareType || "",
    fill: ZONE_COLOUR[n.network] || KIND_COLOUR[n.label] || "#ffffff",
    shape: SHAPE[n.label] || "ellipse",
    border: BORDER[n.secrecyLevel || "none"] || 1,
    borderColour: (n.secrecyLevel || "none") === "none" ? "#7b8794" : "#1f2933",
  };
}

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(name)",
      shape: "data(shape)",
      "background-color": "data(fill)",
      "border-width": "data(border)",
      "border-color": "data(borderColour)",
      width: 26,
      height: 26,
      "font-size": 11,
      "text-valign": "bottom",
      "text-margin-y": 3,
      "text-wrap": "ellipsis",
      "text-max-width": 110,
      // labels give way to shapes when zoomed out (hundreds of names at 6 px are a smear):
      // a dataset's name shows from zoom 0.9, a field's from 1.1, a department's from 0.77
      "min-zoomed-font-size": 10,
      "font-family": "Noto Sans CJK SC, sans-serif",
      // where labels cross (a dataset's twenty fields), the one on top stays legible
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.8,
      "text-background-padding": 1,
    },
  },
  { selector: 'node[label = "Department"]', style: { width: 38, height: 30, "font-weight": "bold", "font-size": 13 } },
  { selector: 'node[label = "Field"]', style: { width: 16, height: 16, "font-size": 9, "text-max-width": 72 } },
  { selector: "node:selected", style: { "overlay-color": "#b3261e", "overlay-opacity": 0.2, "overlay-padding": 6 } },
  {
    selector: "edge",
    style: {
      width: 1.2,
      "line-color": "#9aa5b1",
      "target-arrow-color": "#9aa5b1",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.7,
      "curve-style": "bezier",
      label: "data(caption)",
      "font-size": 8,
      color: "#616e7c",
      "min-zoomed-font-size": 30, // relation names only when zoomed in past 2x
      "text-rotation": "autorotate",
    },
  },
  { selector: 'edge[type = "SHARED_WITH"]', style: { "line-color": "#b3261e", "target-arrow-color": "#b3261e", width: 2 } },
  { selector: 'edge[type = "DERIVED_FROM"]', style: { "line-color": "#7e6bc4", "target-arrow-color": "#7e6bc4", "line-style": "dashed" } },
  { selector: ".hidden-relation", style: { display: "none" } },
  { selector: ".faded", style: { opacity: 0.18 } },
  { selector: "node.lit", style: { "underlay-color": "#f5b700", "underlay-opacity": 0.55, "underlay-padding": 7 } },
  { selector: "edge.lit", style: { width: 3.5, "line-color": "#f5b700", "target-arrow-color": "#f5b700", opacity: 1 } },
];

let cy;

function addGraph(graph) {
  const added = [];
  for (const n of graph.nodes) {
    if (!cy.getElementById(n.id).length) added.push({ group: "nodes", data: nodeData(n) });
  }
  for (const e of graph.edges) {
    if (!cy.getElementById(e.id).length) added.push({ group: "edges", data: { ...e, caption: term("rel", e.type) } });
  }
  const near = state.selected ? cy.getElementById(state.selected).position() : { x: 0, y: 0 };
  const elements = cy.add(added);
  elements.nodes().forEach((node) => node.position({ x: near.x + (Math.random() - 0.5) * 80, y: near.y + (Math.random() - 0.5) * 80 }));
  applyRelations();
  for (const m of graph.more || []) state.more.set(m.id, m.more);
  return elements;
}

function layout(randomize = false) {
  const visible = cy.elements(":visible");
  const options =
    typeof cytoscapeFcose !== "undefined"
      ? // never "draft": its spectral start alone piles a department's datasets and their fields on one spot
        { name: "fcose", randomize, animate: false, quality: "default", nodeRepulsion: 6500, idealEdgeLength: 70, nodeSeparation: 60 }
      : { name: "cose", randomize, animate: false };
  visible.layout(options).run();
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.2) cy.zoom({ level: 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  status();
}

// Cytoscape applies a class's style lazily (on the next drawn frame) and caches
// ":visible" until then; reading each edge's display style applies it now, so the
// status count and the next layout see the filter the planner just chose.
function applyRelations() {
  cy.edges().forEach((edge) => {
    edge.toggleClass("hidden-relation", !state.relations.has(edge.data("type")));
    edge.style("display");
  });
}

function status() {
  document.getElementById("status").textContent = t("ex.nodes", { n: cy.nodes().length, m: cy.edges(":visible").length });
}

async function expand(id) {
  const data = await gql(NEIGHBOURS, { entries: [entry(id)], relations: [...state.relations], limit: 100 });
  const node = cy.getElementById(id);
  if (node.length) node.data("expanded", true);
  const added = addGraph(data.neighbourhood);
  cy.getElementById(id).data("expanded", true);
  if (added.length) layout();
  else status();
}

const MAX_EXPANDED = 50; // entries per neighbourhood request (the server's bound)

// Expand every shown entry not yet expanded (the first MAX_EXPANDED of them), in one
// request: a planner sees a department's datasets with their fields at once.
async function expandAll() {
  const waiting = cy.nodes(":visible").filter((n) => !n.data("expanded")).map((n) => n.id()).slice(0, MAX_EXPANDED);
  if (!waiting.length) return;
  const data = await gql(NEIGHBOURS, { entries: waiting.map(entry), relations: [...state.relations], limit: 100 });
  for (const id of waiting) cy.getElementById(id).data("expanded", true);
  if (addGraph(data.neighbourhood).length) layout(true);
  else status();
}

function clearHighlight() {
  cy.elements().removeClass("faded lit");
  document.getElementById("highlight").textContent = "";
}

function highlight(ids, what) {
  clearHighlight();
  const lit = cy.collection(ids.map((id) => cy.getElementById(id)).filter((x) => x.length));
  const edges = lit.edgesWith(lit);
  cy.elements().addClass("faded");
  lit.union(edges).removeClass("faded").addClass("lit");
  document.getElementById("highlight").textContent = t("ex.highlight", { what, n: lit.nodes().length });
}

async function addEntries(ids) {
  const missing = ids.filter((id) => !cy.getElementById(id).length);
  if (missing.length) {
    const data = await gql(ENTRIES, { entries: missing.slice(0, 50).map(entry) });
    addGraph({ nodes: data.entries, edges: [] });
  }
  // the edges among them, so the highlighted subgraph is connected where the registry says so
  const known = ids.filter((id) => cy.getElementById(id).length).slice(0, 50);
  if (known.length) {
    const data = await gql(NEIGHBOURS, { entries: known.map(entry), relations: RELATIONS, limit: 200 });
    const present = new Set(cy.nodes().map((n) => n.id()));
    addGraph({ nodes: [], edges: data.neighbourhood.edges.filter((e) => present.has(e.source) && present.has(e.target)) });
  }
}

async function lineage(direction) {
  const id = state.selected;
  if (!id) return;
  const { kind, key } = entry(id);
  const data = await gql(LINEAGE, { key, kind, direction });
  const ids = [id];
  const graph = { nodes: [], edges: [] };
  for (const s of data.lineage.steps) {
    const field = `Field:${s.field}`;
    const via = `Field:${s.via}`;
    ids.push(field, via);
    if (s.dataset) ids.push(`Dataset:${s.dataset}`);
    const [src, dst] = s.direction === "down" ? [field, via] : [via, field];
    graph.edges.push({ id: `${src}-DERIVED_FROM-${dst}`, type: "DERIVED_FROM", source: src, target: dst });
  }
  await addEntries([...new Set(ids)]);
  const present = new Set(cy.nodes().map((n) => n.id()));
  addGraph({ nodes: [], edges: graph.edges.filter((e) => present.has(e.source) && present.has(e.target)) });
  layout();
  highlight([...new Set(ids)], t(direction === "UP" ? "ex.lineage_up" : "ex.lineage_down"));
}

async function impact() {
  const id = state.selected;
  if (!id) return;
  const { kind, key } = entry(id);
  const data = (await gql(IMPACT, { key, kind })).impact;
  const departments = Array.isArray(data.departments) ? data.departments : Object.keys(data.departments || {});
  const ids = [
    id,
    ...data.datasetsLost.map((k) => `Dataset:${k}`),
    ...data.derivedDatasets.map((k) => `Dataset:${k}`),
    ...data.systems.map((k) => `System:${k}`),
    ...departments.map((k) => `Department:${k}`),
    ...data.needs.map((k) => `Need:${k}`),
  ];
  await addEntries([...new Set(ids)]);
  layout();
  highlight([...new Set(ids)], t("ex.impact"));
  document.getElementById("highlight").textContent += ` — ${data.message}`;
}

async function findPaths() {
  if (!state.from || !state.to) return;
  const data = (await gql(PATHS, { source: entry(state.from), target: entry(state.to) })).dataPaths;
  const out = document.getElementById("paths-result");
  if (!data.paths.length) {
    out.textContent = t("ex.no_paths");
    return;
  }
  addGraph(data.graph);
  layout();
  const ids = [...new Set(data.paths.flat())];
  highlight(ids, t("ex.paths"));
  cy.edges().forEach((e) => {
    if (ids.includes(e.data("source")) && ids.includes(e.data("target"))) e.removeClass("faded").addClass("lit");
  });
  out.textContent = t("ex.paths_found", { n: data.paths.length });
}

function graphml() {
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const keys = ["label", "key", "name", "network", "secrecy", "shareType"];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ...keys.map((k) => `  <key id="${k}" for="node" attr.name="${k}" attr.type="string"/>`),
    '  <key id="type" for="edge" attr.name="type" attr.type="string"/>',
    '  <graph id="registry" edgedefault="directed">',
  ];
  cy.nodes(":visible").forEach((n) => {
    lines.push(`    <node id="${esc(n.id())}">${keys.map((k) => `<data key="${k}">${esc(n.data(k) ?? "")}</data>`).join("")}</node>`);
  });
  cy.edges(":visible").forEach((e) => {
    lines.push(`    <edge id="${esc(e.id())}" source="${esc(e.data("source"))}" target="${esc(e.data("target"))}"><data key="type">${esc(e.data("type"))}</data></edge>`);
  });
  lines.push("  </graph>", "</graphml>", "");
  return lines.join("\n");
}

function details(node) {
  const box = document.getElementById("details");
  if (!node) {
    box.replaceChildren(el("p", { class: "muted" }, t("ex.none_selected")));
    return;
  }
  const d = node.data();
  const more = state.more.get(d.id);
  const canTrace = ["Field", "Dataset", "System"].includes(d.label);
  box.replaceChildren(
    ...[
    el(
      "dl",
      { class: "details" },
      el("dt", {}, term("label", d.label)),
      el("dd", { id: "selected-name" }, d.name),
      el("dt", {}, "key"),
      el("dd", {}, d.key),
      d.network ? [el("dt", {}, t("dash.network")), el("dd", {}, term("network", d.network))] : null,
      d.secrecy && d.label !== "Department" ? [el("dt", {}, "密级"), el("dd", {}, term("secrecy", d.secrecy))] : null,
      d.shareType ? [el("dt", {}, "共享类型"), el("dd", {}, term("share", d.shareType))] : null,
    ),
    more ? el("p", { class: "muted" }, t("ex.more", { n: more })) : null,
    el("p", {}, el("a", { href: entryHref(d.label, d.key), id: "entry-link" }, t("ex.open_entry"))),
    el(
      "div",
      { class: "buttons" },
      canTrace ? el("button", { type: "button", id: "lineage-up", onclick: () => guarded(() => lineage("UP")) }, t("ex.lineage_up")) : null,
      canTrace ? el("button", { type: "button", id: "lineage-down", onclick: () => guarded(() => lineage("DOWN")) }, t("ex.lineage_down")) : null,
      ["Dataset", "System"].includes(d.label) ? el("button", { type: "button", id: "impact", onclick: () => guarded(impact) }, t("ex.impact")) : null,
      el("button", { type: "button", id: "set-from", onclick: () => setEnd("from", d) }, t("ex.from")),
      el("button", { type: "button", id: "set-to", onclick: () => setEnd("to", d) }, t("ex.to")),
    ),
    ].filter(Boolean),
  );
}

function setEnd(which, d) {
  state[which] = d.id;
  document.getElementById(`path-${which}`).textContent = `${which === "from" ? "A" : "B"}: ${d.name}`;
  document.getElementById("find-paths").disabled = !(state.from && state.to);
}

async function guarded(action) {
  const out = document.getElementById("error");
  out.textContent = "";
  try {
    await action();
  } catch (error) {
    out.textContent = `${t("error.load")}${error.message}`;
  }
}

function searchBox() {
  const input = el("input", { type: "search", id: "search", placeholder: t("ex.search"), autocomplete: "off" });
  const list = el("ul", { class: "suggestions", id: "suggestions", hidden: true });
  let timer;
  let asked = 0;
  const choose = (hit) => {
    list.hidden = true;
    input.value = hit.name;
    guarded(async () => {
      const found = (await gql(ENTRIES, { entries: [entry(`${hit.kind}:${hit.key}`)] })).entries;
      if (!found.length) return;
      const n = found[0];
      addGraph({ nodes: [n], edges: [] });
      state.selected = n.id;
      await expand(n.id);
      cy.getElementById(n.id).select();
      details(cy.getElementById(n.id));
    });
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (!text) {
        list.hidden = true;
        return;
      }
      const mine = ++asked;
      try {
        const found = (await gql(SUGGEST, { text })).suggest;
        if (mine !== asked) return;
        list.replaceChildren(
          ...(found.length
            ? found.map((h) => el("li", { onclick: () => choose(h), dataset: { id: `${h.kind}:${h.key}` } }, h.name, el("span", { class: "kind" }, `${term("label", h.kind)} ${h.departmentName || h.key}`)))
            : [el("li", { class: "muted" }, t("ex.no_suggestions"))]),
        );
        list.hidden = false;
      } catch (error) {
        document.getElementById("error").textContent = `${t("error.load")}${error.message}`;
      }
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      list.querySelector("li[data-id]")?.click();
    }
  });
  return el("div", { class: "search" }, input, list);
}

function relationFilter() {
  return el(
    "div",
    { class: "relations", id: "relations" },
    RELATIONS.map((r) =>
      el(
        "label",
        {},
        el("input", {
          type: "checkbox",
          checked: state.relations.has(r),
          value: r,
          onchange: (event) => {
            if (event.target.checked) state.relations.add(r);
            else state.relations.delete(r);
            applyRelations();
            status();
          },
        }),
        ` ${term("rel", r)}`,
      ),
    ),
  );
}

function legend() {
  const swatch = (colour, text, border = 1) => el("div", {}, el("i", { style: `background:${colour};border-width:${border}px;border-color:#1f2933` }), text);
  return el(
    "div",
    { class: "legend" },
    el("div", { class: "muted" }, t("ex.legend_colour")),
    Object.entries(ZONE_COLOUR).map(([zone, colour]) => swatch(colour, term("network", zone))),
    el("div", { class: "muted" }, t("ex.legend_border")),
    Object.entries(BORDER).map(([level, width]) => swatch("#ffffff", term("secrecy", level), Math.min(width, 5))),
    el("div", { class: "muted" }, t("ex.legend_shape")),
    el("div", {}, Object.entries(SHAPE).slice(0, 6).map(([label, shape]) => `${term("label", label)}: ${shape}`).join("；")),
  );
}

function sidebar() {
  return el(
    "aside",
    {},
    searchBox(),
    el("p", { class: "error", id: "error", role: "alert" }),
    el("h3", {}, t("ex.selected")),
    el("div", { id: "details" }),
    el("h3", {}, t("ex.paths")),
    el("div", { id: "path-from", class: "muted" }, "A: —"),
    el("div", { id: "path-to", class: "muted" }, "B: —"),
    el("div", { class: "buttons" }, el("button", { type: "button", id: "find-paths", disabled: true, class: "primary", onclick: () => guarded(findPaths) }, t("ex.find_paths"))),
    el("div", { id: "paths-result", class: "status" }),
    el("h3", {}, t("ex.relations")),
    relationFilter(),
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "button", id: "expand-all", onclick: () => guarded(expandAll) }, t("ex.expand_all")),
      el("button", { type: "button", id: "relayout", onclick: () => layout(true) }, t("ex.layout")),
      el("button", { type: "button", id: "clear-highlight", onclick: clearHighlight }, "✕"),
      el("button", { type: "button", id: "clear", onclick: () => { cy.elements().remove(); state.more.clear(); details(null); status(); } }, t("ex.clear")),
      el("button", { type: "button", id: "export-png", onclick: () => download("registry-graph.png", cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" })) }, t("ex.export_png")),
      el("button", { type: "button", id: "export-graphml", onclick: () => download("registry-graph.graphml", new Blob([graphml()], { type: "application/xml" })) }, t("ex.export_graphml")),
    ),
    el("div", { id: "highlight", class: "status" }),
    el("div", { id: "status", class: "status" }),
    el("h3", {}, t("ex.legend")),
    legend(),
  );
}

header();
const main = document.querySelector("main");
main.classList.add("explore");
main.replaceChildren(sidebar(), el("div", { id: "cy" }));
cy = cytoscape({ container: document.getElementById("cy"), style: STYLE, minZoom: 0.05, maxZoom: 4, textureOnViewport: true, hideEdgesOnViewport: true });
window.registryGraph = cy; // for the browser tests and for users' own console exports
cy.on("tap", "node", (event) => {
  const node = event.target;
  state.selected = node.id();
  details(node);
  if (!node.data("expanded")) guarded(() => expand(node.id()));
});
details(null);
status();

const params = new URLSearchParams(location.search);
run(document.getElementById("details"), async () => {
  details(null);
  const start = params.get("start");
  const from = params.get("from");
  const to = params.get("to");
  if (from && to) {
    const data = await gql(ENTRIES, { entries: [entry(from), entry(to)] });
    addGraph({ nodes: data.entries, edges: [] });
    for (const n of data.entries) setEnd(n.id === from ? "from" : "to", nodeData(n));
    await findPaths();
  } else if (start) {
    const data = await gql(ENTRIES, { entries: [entry(start)] });
    if (data.entries.length) {
      addGraph({ nodes: data.entries, edges: [] });
      state.selected = start;
      await expand(start);
      details(cy.getElementById(start));
    }
  }
  document.body.dataset.ready = "true";
});
