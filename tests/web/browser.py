"""The harness of the browser tests: the bundled demo registry served by ``registry serve
--public-view`` on loopback, and headless Chromium (Debian's ``chromium``) driven by
Playwright. One server and one browser per test module keep the wall time small.

Screenshots go to ``docs/screenshots/`` (the README shows them).
"""

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from registry import demo
from registry.importers import read
from registry.schema.codes import validate_credit_code
from registry.service import Caller, RegistryService
from registry.store.sqlite import SQLiteStore
from registry.web.tokens import TokenStore
from tests.web.serving import serving

CHROMIUM = os.environ.get("REGISTRY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

GD_ZR = "11440000006541289Y"
"""广东省自然资源厅 in the demo: one of the two departments building the same system."""


@dataclass(frozen=True)
class Demo:
    url: str
    store: Path
    tokens: dict[str, str]
    """Role name -> token: ``reviewer`` (confidential clearance), ``public``, ``editor`` (of GD_ZR), ``admin``."""


def build_demo(path: Path) -> None:
    """The demo registry, loaded in-process through the ordinary import path."""
    store = SQLiteStore(path)
    try:
        service = RegistryService(store)
        for file in demo.files():
            service.load(read(file, None), Caller.system("demo"))
    finally:
        store.close()


def _tokens(path: Path) -> dict[str, str]:
    tokens = TokenStore(path)
    made = {
        "reviewer": tokens.create(role="reviewer", clearance="confidential", name="审核员-王")[0],
        "public": tokens.create(role="public", name="公众")[0],
        "editor": tokens.create(
            role="editor", department=validate_credit_code(GD_ZR), clearance="confidential", name="自然资源厅-李"
        )[0],
        "admin": tokens.create(role="admin", clearance="top_secret", name="管理员")[0],
    }
    return made


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    store = folder / "demo.db"
    build_demo(store)
    tokens = _tokens(folder / "tokens.json")
    with serving(store, "--public-view", "--tokens", str(folder / "tokens.json")) as url:
        yield Demo(url=url, store=store, tokens=tokens)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium; skipped with the reason when it is missing (``.ci/run`` installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Browser, demo_site: Demo, path: str, *, token: str | None = None, lang: str = "zh") -> Page:
    """A new browser context on ``path`` with ``token`` entered for the session (none: the
    public view), in ``lang``, waiting until the page says its data has arrived."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    script = f"if (!localStorage.getItem('registry-lang')) localStorage.setItem('registry-lang', {lang!r});"
    if token is not None:
        script += f"sessionStorage.setItem('registry-token', {token!r});"
    context.add_init_script(script)
    page = context.new_page()
    page.goto(demo_site.url + path)
    return page


def wait_ready(page: Page, timeout: float = 20_000) -> None:
    page.wait_for_selector("body[data-ready=true]", timeout=timeout)


def wait_until(page: Page, expression: str, timeout: float = 20.0) -> None:
    """Poll ``expression`` until it is true. Playwright's ``wait_for_function`` evaluates its
    predicate inside the page with ``eval``, which the pages' content security policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
