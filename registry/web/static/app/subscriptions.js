// The session's webhook subscriptions: what each watches, where it calls, its delivery log,
// and a button to unsubscribe. Subscriptions are made through the API (`subscribe`) or the
// CLI; this page is where their owner sees whether the calls arrive and stops them.

import { el, entryHref, fmt, gql, header, run, section } from "./common.js";
import { t, term } from "./i18n.js";

const MINE = `query Mine { mySubscriptions { id targetKind target events url created deliveries } }`;
const UNSUBSCRIBE = `mutation Unsubscribe($id: String!) { unsubscribe(id: $id) }`;

function target(s) {
  if (s.targetKind === "entry") {
    const at = s.target.indexOf(":");
    const label = s.target.slice(0, at);
    return el("a", { href: entryHref(label, s.target.slice(at + 1)) }, `${term("label", label)} ${s.target.slice(at + 1)}`);
  }
  const label = s.targetKind === "department" ? "Department" : "DataElement";
  return el("a", { href: entryHref(label, s.target) }, `${term("label", label)} ${s.target}`);
}

function deliveries(list) {
  if (!list.length) return el("span", { class: "muted" }, t("sub.none_delivered"));
  const last = list[list.length - 1];
  return el(
    "details",
    {},
    el("summary", {}, t("sub.delivered", { n: fmt(list.length), status: term("sub.status", last.status), at: last.at })),
    el(
      "table",
      { class: "deliveries" },
      el("thead", {}, el("tr", {}, ["sub.at", "sub.batch", "sub.status", "sub.attempts", "sub.events", "sub.error"].map((k) => el("th", {}, t(k))))),
      el(
        "tbody",
        {},
        list.map((d) =>
          el(
            "tr",
            { "data-status": d.status },
            el("td", {}, d.at),
            el("td", { class: "muted" }, d.batch),
            el("td", {}, term("sub.status", d.status)),
            el("td", { class: "num" }, d.attempts),
            el("td", { class: "num" }, d.events),
            el("td", { class: "error" }, d.error || ""),
          ),
        ),
      ),
    ),
  );
}

function row(s, onGone) {
  const error = el("div", { class: "error", role: "alert" });
  const button = el("button", { type: "button", class: "unsubscribe" }, t("sub.unsubscribe"));
  button.addEventListener("click", async () => {
    error.textContent = "";
    button.disabled = true;
    try {
      await gql(UNSUBSCRIBE, { id: s.id });
      onGone(s.id);
    } catch (e) {
      button.disabled = false;
      error.textContent = e.message;
    }
  });
  return el(
    "tr",
    { "data-subscription": s.id },
    el("td", {}, target(s)),
    el("td", {}, s.events.map((e) => term("sub.event", e)).join("、")),
    el("td", { class: "url" }, s.url),
    el("td", { class: "muted" }, s.created),
    el("td", {}, deliveries(s.deliveries)),
    el("td", {}, button, error),
  );
}

header();
const main = document.querySelector("main");
run(main, async () => {
  const mine = (await gql(MINE)).mySubscriptions;
  const status = el("p", { class: "status", id: "sub-status", role: "status" });
  const body = el("tbody", {});
  const count = el("p", { class: "muted", id: "sub-count" });
  const shown = new Set(mine.map((s) => s.id));
  const recount = () => {
    count.textContent = shown.size ? t("sub.count", { n: fmt(shown.size) }) : t("sub.empty");
  };
  const gone = (id) => {
    shown.delete(id);
    body.querySelector(`tr[data-subscription="${CSS.escape(id)}"]`)?.remove();
    status.textContent = t("sub.removed", { id });
    recount();
  };
  body.append(...mine.map((s) => row(s, gone)));
  recount();
  const head = ["sub.target", "sub.events", "sub.url", "sub.created", "sub.deliveries", ""].map((k) => el("th", {}, k ? t(k) : ""));
  main.replaceChildren(
    section(t("sub.title"), el("p", { class: "muted" }, t("sub.intro")), count, el("table", { id: "subscriptions" }, el("thead", {}, el("tr", {}, head)), body), status),
  );
  document.body.dataset.ready = "true";
});
