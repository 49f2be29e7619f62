"""The planners' pages: one HTML shell per page, its script and stylesheet served from
``static/app`` and the vendored libraries from ``static/vendor``.

The shells carry no data: every page fetches what it shows from ``/graphql`` with the
caller's token, so a page shows exactly what the API grants that token. The content
security policy allows this origin only, so nothing is fetched from anywhere else.
"""

from collections.abc import Awaitable, Callable
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"
)

PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "/": ("dashboard", ()),
    "/list": ("list", ()),
    "/review": ("review", ()),
    "/import": ("import", ()),
    "/subscriptions": ("subscriptions", ()),
    "/entry/{label}/{key:path}": ("entry", ()),
    "/explore": (
        "explore",
        ("cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js"),
    ),
}
"""Path -> (the page's module in static/app, the vendored scripts it needs first)."""


def shell(module: str, vendored: tuple[str, ...]) -> str:
    scripts = "".join(f'<script src="/static/vendor/{escape(name)}"></script>' for name in vendored)
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>政务数据共享登记簿</title>"
        '<link rel="stylesheet" href="/static/app/style.css">'
        f"{scripts}"
        f'<script type="module" src="/static/app/{escape(module)}.js"></script>'
        f'</head><body class="page-{escape(module)}"><main></main></body></html>'
    )


def routes() -> list[BaseRoute]:
    def endpoint(html: str) -> Callable[[Request], Awaitable[HTMLResponse]]:
        async def page(_request: Request) -> HTMLResponse:
            return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})

        return page

    return [Route(path, endpoint(shell(module, vendored))) for path, (module, vendored) in PAGES.items()]
