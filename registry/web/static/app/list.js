// The list behind a dashboard number: entries of one kind with the dashboard's filters
// (department, network, 密级, 共享类型, …), paged with the API's cursors.

import { el, entryHref, fmt, gql, header, run, section } from "./common.js";
import { t, term } from "./i18n.js";

// kind -> [connection field, {filter argument: GraphQL type}, columns]
const KINDS = {
  Department: ["departments", { level: "DepartmentLevel", region: "String" }, "name level region"],
  System: ["systems", { department: "String", network: "Network", secrecyLevel: "SecrecyLevel", status: "SystemStatus" }, "name network secrecyLevel department { key name }"],
  Dataset: ["datasets", { department: "String", shareType: "ShareType", secrecyLevel: "SecrecyLevel", category: "ResourceCategory" }, "name shareType secrecyLevel provider { key name }"],
  Field: ["fields", { dataset: "String", dataType: "DataType" }, "name dataType dataset { key name }"],
  DataElement: ["dataElements", {}, "name"],
  Interface: ["interfaces", { network: "Network", kind: "InterfaceKind" }, "code network"],
  Project: ["projects", { department: "String", stage: "ProjectStage" }, "name stage"],
  Need: ["needs", { department: "String" }, "purpose"],
};

function query(kind, filters) {
  const [field, args, columns] = KINDS[kind];
  const used = Object.keys(args).filter((name) => filters[name] !== undefined);
  const declared = ["$first: Int", "$after: String", "$search: String", ...used.map((n) => `$${n}: ${args[n]}`)].join(", ");
  const passed = ["first: $first", "after: $after", "search: $search", ...used.map((n) => `${n}: $${n}`)].join(", ");
  return `query List(${declared}) { list: ${field}(${passed}) { totalCount pageInfo { hasNextPage endCursor } edges { node { key ${columns} } } } }`;
}

function cells(kind, n) {
  const name = n.name ?? n.purpose ?? n.code ?? n.key;
  const owner = n.department || n.provider || n.dataset;
  const ownerKind = n.dataset ? "Dataset" : "Department";
  return [
    el("td", {}, el("a", { href: entryHref(kind, n.key) }, name)),
    el("td", { class: "muted" }, n.key),
    el(
      "td",
      {},
      [
        n.network ? term("network", n.network.toLowerCase()) : null,
        n.secrecyLevel ? term("secrecy", n.secrecyLevel.toLowerCase()) : null,
        n.shareType ? term("share", n.shareType.toLowerCase()) : null,
        n.level || n.stage || n.dataType || n.region || null,
      ]
        .filter(Boolean)
        .join(" · "),
    ),
    el("td", {}, owner ? el("a", { href: entryHref(ownerKind, owner.key) }, owner.name) : ""),
  ];
}

header();
const main = document.querySelector("main");
const params = new URLSearchParams(location.search);
const kind = KINDS[params.get("kind")] ? params.get("kind") : "Dataset";
const filters = {};
for (const name of Object.keys(KINDS[kind][1])) if (params.get(name)) filters[name] = params.get(name);

run(main, async () => {
  const search = el("input", { type: "search", id: "list-search", placeholder: t("ex.search"), value: params.get("search") || "" });
  const body = el("tbody", {});
  const total = el("p", { class: "muted", id: "list-total" });
  const more = el("button", { type: "button", id: "list-more" }, "↓");
  let after = null;
  const load = async (reset) => {
    if (reset) {
      after = null;
      body.replaceChildren();
    }
    const data = await gql(query(kind, filters), { first: 50, after, search: search.value.trim() || null, ...filters });
    body.append(...data.list.edges.map((e) => el("tr", {}, cells(kind, e.node))));
    total.textContent = `${term("label", kind)} ${t("total")} ${fmt(data.list.totalCount)}`;
    after = data.list.pageInfo.endCursor;
    more.hidden = !data.list.pageInfo.hasNextPage;
  };
  more.addEventListener("click", () => load(false));
  search.addEventListener("change", () => load(true));
  const described = Object.entries(filters).map(([name, value]) => `${name}=${value}`).join(" · ");
  main.replaceChildren(
    section(`${term("label", kind)}${described ? ` — ${described}` : ""}`, search, total, el("table", { id: "list" }, body), more),
  );
  await load(true);
  document.body.dataset.ready = "true";
});
