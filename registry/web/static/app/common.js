// What every page shares: the GraphQL call with the caller's token, the header (navigation,
// language switch, token), and small DOM helpers. Every datum a page shows comes through
// gql(), so what the browser sees is exactly what the API grants the token.

import { currentLang, setLang, t } from "./i18n.js";

const TOKEN_KEY = "registry-token";

export class AuthError extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export async function gql(query, variables = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return answer(response);
}

// A multipart GraphQL request (the upload spec) carrying one file as variable `file`.
export async function gqlUpload(query, variables, file) {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.append("map", JSON.stringify({ 0: ["variables.file"] }));
  form.append("0", file, file.name);
  const headers = {};
  if (token()) headers.Authorization = `Bearer ${token()}`;
  return answer(await fetch("/graphql", { method: "POST", headers, body: form }));
}

async function answer(response) {
  if (response.status === 401) throw new AuthError(token() ? t("token.invalid") : t("token.required"));
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`HTTP ${response.status}`);
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body.data;
}

// el("a", {href: "/", class: "x"}, "text", child): a DOM element; strings become text nodes,
// never HTML, so no registry value is ever interpreted as markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function fmt(n) {
  return new Intl.NumberFormat(currentLang() === "en" ? "en" : "zh-CN").format(n);
}

export function entryHref(label, key) {
  return `/entry/${encodeURIComponent(label)}/${encodeURIComponent(key)}`;
}

const PAGES = [
  ["/", "nav.dashboard"],
  ["/explore", "nav.explore"],
  ["/review", "nav.review"],
  ["/import", "nav.import"],
  ["/subscriptions", "nav.subscriptions"],
];

function tokenForm(message) {
  const input = el("input", { type: "password", id: "token-input", placeholder: "reg_…", autocomplete: "off" });
  const form = el(
    "form",
    {
      class: "token-form",
      onsubmit: (event) => {
        event.preventDefault();
        if (input.value.trim()) sessionStorage.setItem(TOKEN_KEY, input.value.trim());
        location.reload();
      },
    },
    el("label", { for: "token-input" }, message || t("token.prompt")),
    input,
    el("button", { type: "submit" }, t("token.save")),
  );
  return form;
}

export function header() {
  const here = location.pathname;
  const nav = el(
    "nav",
    {},
    el("span", { class: "brand" }, t("app.title")),
    ...PAGES.map(([href, key]) => el("a", { href, class: here === href ? "current" : null }, t(key))),
  );
  const tools = el(
    "div",
    { class: "tools" },
    token()
      ? [
          el("span", { class: "who" }, t("token.using")),
          el(
            "button",
            {
              type: "button",
              id: "token-clear",
              onclick: () => {
                sessionStorage.removeItem(TOKEN_KEY);
                location.reload();
              },
            },
            t("token.clear"),
          ),
        ]
      : el(
          "button",
          { type: "button", id: "token-open", onclick: () => showTokenForm() },
          t("token.set"),
        ),
    el(
      "button",
      {
        type: "button",
        id: "lang-switch",
        onclick: () => {
          setLang(currentLang() === "en" ? "zh" : "en");
          location.reload();
        },
      },
      t("nav.lang"),
    ),
  );
  document.documentElement.lang = currentLang() === "en" ? "en" : "zh-CN";
  document.title = t("app.title");
  const bar = el("header", { class: "top" }, nav, tools);
  document.body.prepend(bar, el("div", { id: "token-slot" }));
}

export function showTokenForm(message) {
  const slot = document.getElementById("token-slot");
  slot.replaceChildren(tokenForm(message));
  slot.querySelector("input").focus();
}

// Run a page's loader; a missing or bad token opens the token form, any other failure is
// shown where the page would be.
export async function run(main, load) {
  main.replaceChildren(el("p", { class: "muted" }, t("loading")));
  try {
    await load();
  } catch (error) {
    if (error instanceof AuthError) {
      main.replaceChildren();
      showTokenForm(error.message);
    } else {
      main.replaceChildren(el("p", { class: "error", role: "alert" }, t("error.load"), error.message));
    }
  }
}

export function section(title, ...children) {
  return el("section", { class: "card" }, el("h2", {}, title), ...children);
}

export function download(name, blob) {
  const link = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(link);
  link.click();
  setTimeout(() => {
    URL.revokeObjectURL(link.href);
    link.remove();
  }, 1000);
}
