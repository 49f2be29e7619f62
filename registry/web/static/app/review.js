// The findings review work queue: every analysis's findings, filtered by rule, family,
// department and status; a reviewer confirms or dismisses each with a reason (stored in the
// registry with author and time); confirmed ones export as an XLSX report.

import { download, el, entryHref, fmt, gql, header, run, section } from "./common.js";
import { t, term } from "./i18n.js";

const PAGE = 50;
const FINDINGS = `query Findings($rule: String, $family: String, $department: String, $status: String, $first: Int!, $offset: Int!) {
  findings(rule: $rule, family: $family, department: $department, status: $status, first: $first, offset: $offset) {
    totalCount
    items { id rule family kind severity message departments evidence status
      subjects { ref label key name } review { decision reason by at stale } }
  }
  dashboard { findingsByRule { rule family } }
}`;
const DECIDE = `mutation Decide($id: String!, $decision: ReviewDecision!, $reason: String!) {
  reviewFinding(id: $id, decision: $decision, reason: $reason) { id status review { decision reason by at stale } }
}`;
const REPORT = "query Report { confirmedReport }";

const params = new URLSearchParams(location.search);
const filters = {
  rule: params.get("rule") || null,
  family: params.get("family") || null,
  department: params.get("department") || null,
  status: params.has("status") ? params.get("status") || null : "open",
};

function statusBadge(status, review) {
  const text = review?.stale ? `${t(`rv.${status}`)} · ${t("rv.stale")}` : t(`rv.${status}`);
  return el("span", { class: `badge ${status}`, "data-status": status }, text);
}

function decisionNote(review) {
  if (!review) return null;
  return el("div", { class: "muted review-note" }, `${t(`rv.${review.decision}`)}：${review.reason}（${review.by}，${review.at}）`);
}

function row(f) {
  const reason = el("textarea", { rows: 2, class: "reason", placeholder: t("rv.reason"), "aria-label": t("rv.reason") });
  const status = el("td", {}, statusBadge(f.status, f.review), decisionNote(f.review));
  const error = el("div", { class: "error", role: "alert" });
  const decide = async (decision) => {
    error.textContent = "";
    if (!reason.value.trim()) {
      error.textContent = t("rv.reason_needed");
      reason.focus();
      return;
    }
    try {
      const done = (await gql(DECIDE, { id: f.id, decision, reason: reason.value.trim() })).reviewFinding;
      status.replaceChildren(statusBadge(done.status, done.review), decisionNote(done.review));
      reason.value = "";
    } catch (e) {
      error.textContent = e.message;
    }
  };
  return el(
    "tr",
    { "data-finding": f.id, "data-rule": f.rule },
    el("td", {}, el("strong", {}, f.rule), el("div", { class: "muted" }, term("rule", f.rule))),
    el(
      "td",
      {},
      el("div", {}, f.message),
      el("div", { class: "chips" }, f.subjects.map((s) => el("span", {}, el("a", { href: entryHref(s.label, s.key) }, s.name), ` ${term("label", s.label)}`))),
      el("details", {}, el("summary", {}, t("rv.evidence")), el("pre", { class: "evidence" }, JSON.stringify(f.evidence, null, 1))),
    ),
    status,
    el(
      "td",
      { class: "decide" },
      reason,
      el(
        "div",
        { class: "buttons" },
        el("button", { type: "button", class: "confirm", onclick: () => decide("CONFIRMED") }, t("rv.confirm")),
        el("button", { type: "button", class: "dismiss", onclick: () => decide("DISMISSED") }, t("rv.dismiss")),
      ),
      error,
    ),
  );
}

function select(name, options, current) {
  return el(
    "select",
    {
      id: `filter-${name}`,
      onchange: (event) => {
        const next = new URLSearchParams(location.search);
        next.set(name, event.target.value);
        next.delete("page");
        location.search = next.toString();
      },
    },
    options.map(([value, label]) => el("option", { value, selected: value === (current ?? "") }, label)),
  );
}

header();
const main = document.querySelector("main");
run(main, async () => {
  const offset = Math.max(0, Number(params.get("page") || 0)) * PAGE;
  const data = await gql(FINDINGS, { ...filters, first: PAGE, offset });
  const rules = [...new Set(data.dashboard.findingsByRule.map((r) => r.rule))];
  const found = data.findings;
  const bar = el(
    "div",
    { class: "filters" },
    select("status", [["", t("rv.all")], ["open", t("rv.open")], ["confirmed", t("rv.confirmed")], ["dismissed", t("rv.dismissed")]], filters.status),
    select("rule", [["", t("rv.all_rules")], ...rules.map((r) => [r, `${r} ${term("rule", r)}`])], filters.rule),
    select("family", [["", t("rv.all_families")], ...["duplicate", "gap", "placement", "project", "request", "source"].map((f) => [f, term("family", f)])], filters.family),
    filters.department ? el("span", { class: "chips" }, el("span", {}, `${t("dash.department")} ${filters.department}`)) : null,
    el(
      "button",
      {
        type: "button",
        id: "export-report",
        class: "primary",
        onclick: async () => {
          const encoded = (await gql(REPORT)).confirmedReport;
          const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
          download("已确认问题.xlsx", new Blob([bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
        },
      },
      t("rv.export"),
    ),
  );
  const pager = el("div", { class: "buttons" });
  if (offset > 0) pager.append(el("a", { href: `?${new URLSearchParams({ ...Object.fromEntries(params), page: offset / PAGE - 1 })}` }, "←"));
  if (offset + PAGE < found.totalCount) pager.append(el("a", { href: `?${new URLSearchParams({ ...Object.fromEntries(params), page: offset / PAGE + 1 })}`, id: "next-page" }, "→"));
  main.replaceChildren(
    section(
      t("nav.review"),
      bar,
      el("p", { class: "muted", id: "queue-total" }, t("rv.total", { n: fmt(found.totalCount) })),
      el(
        "table",
        { id: "queue" },
        el("thead", {}, el("tr", {}, el("th", {}, t("dash.rule")), el("th", {}, t("rv.finding")), el("th", {}, t("rv.status")), el("th", {}, t("rv.decision")))),
        el("tbody", {}, found.items.map(row)),
      ),
      pager,
    ),
  );
  document.body.dataset.ready = "true";
});
