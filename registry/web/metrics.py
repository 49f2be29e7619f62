"""Request counts, latency and errors in the Prometheus text format.

Written by hand rather than with prometheus_client: three metric families do not justify
a dependency. Paths are bucketed to the app's few routes so label cardinality stays
bounded whatever URLs clients try.
"""

import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterator
from threading import Lock

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ROUTES = ("/graphql", "/health", "/metrics", "/static", "/")


def route_of(path: str) -> str:
    for route in ROUTES[:-1]:
        if path == route or path.startswith(route + "/"):
            return route
    return "/" if path == "/" else "other"


class Metrics:
    def __init__(self) -> None:
        self._lock = Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.buckets: dict[str, list[int]] = {}
        self.sums: dict[str, float] = defaultdict(float)
        self.counts: Counter[str] = Counter()
        self.graphql_errors: Counter[str] = Counter()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            bucket = self.buckets.setdefault(route, [0] * (len(BUCKETS) + 1))
            bucket[bisect_left(BUCKETS, seconds)] += 1
            self.sums[route] += seconds
            self.counts[route] += 1

    def graphql_error(self, code: str) -> None:
        with self._lock:
            self.graphql_errors[code] += 1

    def render(self) -> str:
        with self._lock:
            return "\n".join(self._lines()) + "\n"

    def _lines(self) -> Iterator[str]:
        yield "# HELP registry_http_requests_total HTTP requests by method, route and status."
        yield "# TYPE registry_http_requests_total counter"
        for (method, route, status), n in sorted(self.requests.items()):
            yield f'registry_http_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}'
        yield "# HELP registry_http_request_duration_seconds Time to answer a request."
        yield "# TYPE registry_http_request_duration_seconds histogram"
        for route, bucket in sorted(self.buckets.items()):
            running = 0
            for bound, n in zip((*BUCKETS, float("inf")), bucket, strict=True):
                running += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                yield f'registry_http_request_duration_seconds_bucket{{route="{route}",le="{le}"}} {running}'
            yield f'registry_http_request_duration_seconds_sum{{route="{route}"}} {self.sums[route]:.6f}'
            yield f'registry_http_request_duration_seconds_count{{route="{route}"}} {self.counts[route]}'
        yield "# HELP registry_http_errors_total Responses with a 5xx status."
        yield "# TYPE registry_http_errors_total counter"
        errors = sum(n for (_, _, status), n in self.requests.items() if status >= 500)
        yield f"registry_http_errors_total {errors}"
        yield "# HELP registry_graphql_errors_total GraphQL errors returned, by code."
        yield "# TYPE registry_graphql_errors_total counter"
        for code, n in sorted(self.graphql_errors.items()):
            yield f'registry_graphql_errors_total{{code="{code}"}} {n}'


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe(scope["method"], route_of(scope["path"]), status, time.perf_counter() - start)


def error_counter(metrics: Metrics) -> type[SchemaExtension]:
    """A schema extension counting the errors each operation returns, by their code."""

    class CountErrors(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            yield
            result = self.execution_context.result
            for error in (result.errors if result is not None else None) or []:
                metrics.graphql_error(str((error.extensions or {}).get("code", "UNKNOWN")))

    return CountErrors
