"""The starlette application: the planners' pages (``pages``), /graphql (GraphiQL for
browsers), /health, /metrics.

Authentication happens here and only here: a bearer token becomes a ``Caller`` that
the GraphQL layer passes to the service unchanged. Requests without a token are refused
unless the server was started with the read-only public view, in which case they act as
``Caller.public()``, which sees and may do what the public may.
"""

import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from registry.graphql import Limits, RegistryContext, build_schema
from registry.service import Caller, RegistryService, StoreError
from registry.web import pages
from registry.web.heap import HeapKeeper
from registry.web.limits import BodySizeLimit
from registry.web.metrics import Metrics, MetricsMiddleware, error_counter
from registry.web.tokens import TokenStore

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("registry.web")
AUTH_HELP = "authentication required: send the header 'Authorization: Bearer <token>' (see: registry token create)"


@dataclass(frozen=True)
class WebSettings:
    public_view: bool = False
    """Answer requests without a token as the read-only public viewer."""
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 10 * 1024 * 1024
    limits: Limits = field(default_factory=Limits)


def _bearer(headers: Mapping[str, Any]) -> str | None:
    value = str(headers.get("authorization") or headers.get("Authorization") or "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class RegistryGraphQL(GraphQL[RegistryContext, None]):
    def __init__(
        self,
        service: RegistryService,
        tokens: TokenStore,
        settings: WebSettings,
        metrics: Metrics,
        heap: HeapKeeper,
    ) -> None:
        super().__init__(
            build_schema(settings.limits, (error_counter(metrics), heap.extension())),
            graphql_ide="graphiql",
            multipart_uploads_enabled=True,
            allowed_origins=settings.cors_origins,
        )
        self.service = service
        self.tokens = tokens
        self.settings = settings
        self.graphiql_page = (STATIC / "graphiql.html").read_text(encoding="utf-8")

    def _caller(self, headers: Mapping[str, Any]) -> Caller | None:
        token = _bearer(headers)
        if token is not None:
            return self.tokens.authenticate(token)
        return Caller.public() if self.settings.public_view else None

    async def get_context(self, request: Request | WebSocket, response: Any) -> RegistryContext:
        if isinstance(request, WebSocket):
            # The token may also come in connection_init; on_ws_connect decides then.
            caller = self._caller(request.headers)
            return RegistryContext(
                self.service,
                caller or Caller.public(),
                request,
                authenticated=caller is not None,
                limits=self.settings.limits,
            )
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return RegistryContext(self.service, Caller.public(), request, limits=self.settings.limits)
        caller = self._caller(request.headers)
        if caller is None:
            reason = "invalid, expired or revoked token" if _bearer(request.headers) else AUTH_HELP
            raise HTTPException(401, reason)
        return RegistryContext(self.service, caller, request, limits=self.settings.limits)

    async def on_ws_connect(self, context: RegistryContext) -> None:
        if context.authenticated:
            return
        params = context.connection_params or {}
        caller = self.tokens.authenticate(_bearer(params) or "")
        if caller is None:
            raise ConnectionRejectionError({"reason": AUTH_HELP})
        context.become(caller)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.graphiql_page)

    def encode_json(self, data: object) -> str:
        """Chinese as UTF-8 characters, not ``\\uXXXX`` escapes: readable in any client and
        a third the bytes of a Chinese name. orjson encodes a page of 2,000 datasets in about
        a tenth of the json module's 9 ms, on the event loop every other request of the
        worker waits on; text, not bytes, since a WebSocket sends bytes as a binary frame,
        which GraphQL-over-WebSocket clients do not read. What orjson refuses (an integer
        past 64 bits in a JSON scalar) goes through the json module as before."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def create_app(service: RegistryService, tokens: TokenStore, settings: WebSettings | None = None) -> Starlette:
    settings = settings or WebSettings()
    if getattr(service.store, "on_wait", "") is None:
        # a mutation waiting for another process's write says so in the server log
        service.store.on_wait = log.warning  # type: ignore[attr-defined]
    metrics = Metrics()
    heap = HeapKeeper(service)
    graphql = RegistryGraphQL(service, tokens, settings, metrics, heap)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        heap.start()
        try:
            yield
        finally:
            heap.stop()

    async def health(_request: Request) -> JSONResponse:
        try:
            service.ping()
            version = service.version()
        except StoreError:
            return JSONResponse({"status": "unavailable", "store": "not reachable"}, status_code=503)
        return JSONResponse({"status": "ok", "store": "reachable", "version": version})

    async def metrics_page(_request: Request) -> PlainTextResponse:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    async def not_found(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "not found"}, status_code=404)

    async def internal(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "internal error (the server log has the details)"}, status_code=500)

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health),
            Route("/metrics", metrics_page),
            *pages.routes(),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            ),
        ],
        exception_handlers={404: not_found, 500: internal},
        lifespan=lifespan,
    )
