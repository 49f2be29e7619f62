"""The GraphQL API under a dashboard query mix, over loopback HTTP and in-process.

Run: ``python -m bench.graphql [--datasets 10000] [--requests 600] [--concurrency 4] [--workers 1,2]``.

A copy of the generated registry of ``--datasets`` datasets (about 20 fields each;
``bench.registries``, cached) is served by ``registry serve --workers N`` in a subprocess
on 127.0.0.1, once per N in ``--workers``, and a client sends a bounded number of
requests, cycling through the mix with a reviewer token (public clearance, so every read
also pays for visibility filtering), ``--concurrency`` at a time and then one at a time,
each client a thread with a keep-alive connection (``over_http``).
The baseline is the same mix executed in this process on the same schema and store,
without HTTP, sequentially: what the API costs before transport, parsing of the HTTP
request and JSON encoding are added. Each path runs the mix twice: as a dashboard repeats
it (answers kept for repeated queries serve most of it) and "none kept" (``distinct``:
every request executed, the department or dataset asked for rotating). An executed
request still finds the records, edge lists, neighbours and counts its process kept for
the store's version; in process the executed mix runs once more with those dropped before
each request (``drop_read_caches``), so that each is executed as the first one after a
write is. Each row also has its figures per query of the mix (``per_query``).
"""

import argparse
import asyncio
import http.client
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import quantiles
from typing import Any
from urllib.parse import urlsplit

import httpx2
import orjson
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from bench.common import Report
from bench.registries import copy_store, prepare
from registry import collector
from registry.graphql import RegistryContext, build_schema
from registry.schema.enums import Clearance
from registry.service import Caller, RegistryService, Role
from registry.store.sqlite import SQLiteStore
from registry.web.server import default_workers
from registry.web.tokens import TokenStore

MIX: dict[str, str] = {
    "stats": "{ stats { nodes { name count } edges { name count } } }",
    "departments_page": """{ departments(first: 20) { totalCount pageInfo { hasNextPage endCursor }
        edges { node { name code systems { name network status } datasets { name shareType } } } } }""",
    "shareable_datasets": """{ datasets(first: 50, shareType: UNCONDITIONAL) { totalCount
        edges { node { name resourceCode provider { name } fields { name dataType } } } } }""",
    "extranet_systems": """{ systems(first: 50, network: EXTRANET) { totalCount
        edges { node { name department { name } datasets { name } } } } }""",
    "search": """{ datasets(first: 20, search: "信息") { totalCount edges { node { name updated { at by } } } } }""",
    "dataset_detail": """query($code: String!) { dataset(resourceCode: $code) { name abstract shareType
        provider { name } heldBy { name network } sharedWith { recipient { key label } agreement }
        fields { name dataType element { name } derivedFrom { field { key } processingMethod } } } }""",
    "department_datasets": """query($dept: String!) { datasets(department: $dept, first: 50) { totalCount
        edges { node { name shareType fields { name } } } } }""",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
    }


def _requests(service: RegistryService, count: int) -> list[tuple[str, str, dict[str, Any]]]:
    caller = Caller.public()
    dataset = service.find(caller, "Dataset", limit=1)[0].key
    department = service.find(caller, "Department", limit=1)[0].key
    variables = {"dataset_detail": {"code": dataset}, "department_datasets": {"dept": department}}
    names = list(MIX)
    return [
        (names[i % len(names)], MIX[names[i % len(names)]], variables.get(names[i % len(names)], {}))
        for i in range(count)
    ]


def in_process(
    service: RegistryService,
    plan: list[tuple[str, str, dict[str, Any]]],
    schema: strawberry.Schema | None = None,
    before: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The plan executed here, one request at a time; ``before`` (untimed) runs before each."""
    schema = schema or build_schema()
    caller = Caller("bench-reviewer", Role.REVIEWER, Clearance.PUBLIC)

    async def run() -> list[tuple[str, float]]:
        latencies = []
        for name, query, variables in plan:
            if before is not None:
                before()
            started = time.perf_counter()
            result = await schema.execute(
                query, variable_values=variables, context_value=RegistryContext(service, caller)
            )
            latencies.append((name, time.perf_counter() - started))
            if result.errors:
                raise RuntimeError(f"in-process query failed: {result.errors[0].message}")
        return latencies

    return _timed(len(plan), lambda: asyncio.run(run()))


def drop_read_caches(service: RegistryService, *, counts: bool = True) -> Callable[[], None]:
    """What a write drops, dropped by hand: the records and edge lists the store kept, the
    neighbours and counts the service kept per clearance (the clearance levels, which a
    write carries forward, stay). Run before each request, every one is executed as the
    first after a write is (None for code that keeps none of these)."""
    if not hasattr(service, "links"):
        return lambda: None
    from registry.service.counts import Counts
    from registry.service.neighbours import Neighbours
    from registry.store.read_cache import ReadCache

    def drop() -> None:
        service.store._reads = ReadCache()  # type: ignore[attr-defined]
        service.links = Neighbours(service.store.version)
        if counts:
            service.counts = Counts(service.store.version)

    return drop


class _Recounted:
    """Counts never kept: every ``totalCount`` read from the store, as before counts were kept."""

    def version(self) -> int:
        return 0

    def get(self, _key: object, count: Callable[[], int]) -> int:
        return count()

    def keep(self, *_args: object) -> None:
        return None


def plain_execution(service: RegistryService, executed: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any] | None:
    """The executed mix again in this process with graphql-core's own execution of every
    field (``LeafExecutor`` off), counts recounted every time and no records or neighbours
    kept: the path before these were added, measured beside them (None for code that has
    none of them)."""
    if not hasattr(service, "counts"):
        return None
    schema = build_schema()
    schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    kept, service.counts = service.counts, _Recounted()
    try:
        # a schema of its own: nothing kept from the run before
        return in_process(service, executed, schema, before=drop_read_caches(service, counts=False))
    finally:
        service.counts = kept


def _timed(requests: int, run: Callable[[], list[tuple[str, float]]]) -> dict[str, Any]:
    """Run one mix and summarise it the same way for every path, baseline included, with
    each query of the mix apart (``per_query``)."""
    started = time.perf_counter()
    latencies = run()
    elapsed = time.perf_counter() - started
    by_name: dict[str, list[float]] = {}
    for name, seconds in latencies:
        by_name.setdefault(name, []).append(seconds)
    return {
        "requests": requests,
        "seconds": round(elapsed, 3),
        "rps": round(requests / elapsed, 1),
        **_percentiles([seconds for _name, seconds in latencies]),
        "per_query": {name: _percentiles(found) for name, found in by_name.items() if len(found) > 1},
    }


def over_http(
    url: str, token: str, plan: list[tuple[str, str, dict[str, Any]]], concurrency: int, timeout: float = 60
) -> dict[str, Any]:
    """The plan sent by ``concurrency`` clients at once, each a thread with one keep-alive
    connection (``http.client``), taking the next request as its answer arrives. The client
    shares the machine's cores with the server: httpx's asyncio client spent about 4.8 ms
    of CPU per request (3.1-5.3 ms in quiet runs at 10k), a quarter of what a worker
    spends, and decoded each answer on the loop the other clients' replies waited on."""
    address = urlsplit(url)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pending = iter(plan)
    taking = threading.Lock()
    latencies: list[tuple[str, float]] = []
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=timeout)
        try:
            connection.connect()
            # http.client sends the headers and the body apart: with Nagle's algorithm the
            # body waited for the server's delayed acknowledgement of the headers (40 ms)
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not failures:
                with taking:
                    item = next(pending, None)
                if item is None:
                    return
                name, query, variables = item
                body = orjson.dumps({"query": query, "variables": variables})
                started = time.perf_counter()
                connection.request("POST", "/graphql", body, headers)
                response = connection.getresponse()
                data = response.read()
                latencies.append((name, time.perf_counter() - started))
                answer = orjson.loads(data)
                if response.status != 200 or answer.get("errors"):
                    failures.append(f"{response.status} {answer}")
        except (OSError, http.client.HTTPException) as exc:
            failures.append(repr(exc))
        finally:
            connection.close()

    def run() -> list[tuple[str, float]]:
        threads = [threading.Thread(target=client) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise RuntimeError(f"HTTP query failed: {failures[0]}")
        return latencies

    return {"concurrency": concurrency, **_timed(len(plan), run)}


def start_server(store: Path, tokens: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from registry.cli import main; main()",
            "--store",
            str(store),
            "serve",
            "--port",
            str(port),
            "--tokens",
            str(tokens),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        if process.poll() is not None:
            raise RuntimeError("registry serve exited at start")
        try:
            if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx2.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("registry serve did not answer /health within 120 s")


VARIETY = 50
"""Departments and datasets the executed requests rotate through."""


def arguments(service: RegistryService) -> dict[str, list[dict[str, Any]]]:
    """For the queries that take arguments, the first ``VARIETY`` visible departments or
    datasets: an executed request asks for another one each time."""
    caller = Caller.public()
    return {
        "dataset_detail": [{"code": r.key} for r in service.find(caller, "Dataset", limit=VARIETY)],
        "department_datasets": [{"dept": r.key} for r in service.find(caller, "Department", limit=VARIETY)],
    }


def distinct(
    plan: list[tuple[str, str, dict[str, Any]]], varied: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, str, dict[str, Any]]]:
    """The same requests, each with a comment of its own in the query text, and the
    department or dataset asked for drawn in rotation from ``varied``: no answer kept
    for a repeated query (``registry.graphql.answers``) can serve them, so every one is
    executed, as the first of its kind after a write would be. The queries without
    arguments repeat their filters (share type, network, search term, first page)."""
    out = []
    for i, (name, query, variables) in enumerate(plan):
        choices = varied.get(name)
        out.append((name, f"{query}\n# {i}", choices[(i // len(MIX)) % len(choices)] if choices else variables))
    return out


def served(
    db: Path,
    token_file: Path,
    token: str,
    plan: list[tuple[str, str, dict[str, Any]]],
    executed: list[tuple[str, str, dict[str, Any]]],
    workers: int,
    concurrency: int,
) -> list[dict[str, Any]]:
    """The mix over HTTP against ``registry serve --workers N``: ``concurrency`` clients,
    then one, after every worker has warmed its caches (the first public request of a
    worker computes or reads the clearance levels: a minute at 100k, not timed)."""
    process, url = start_server(db, token_file, workers)
    try:
        over_http(url, token, plan[: len(MIX) * 2 * workers], concurrency, timeout=1800)
        return [
            {"run": f"HTTP, {workers} worker(s)", **over_http(url, token, plan, concurrency)},
            {"run": f"HTTP, {workers} worker(s)", **over_http(url, token, plan, 1)},
            {"run": f"HTTP, {workers} worker(s), none kept", **over_http(url, token, executed, concurrency)},
        ]
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=600, help="Requests per run (bounded).")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--workers", default=f"1,{default_workers()}", help="Server processes per run, comma-separated (1,cores)."
    )
    args = parser.parse_args()
    worker_counts = [int(n) for n in args.workers.split(",")]
    prepared = prepare(args.datasets, args.seed)

    with tempfile.TemporaryDirectory(prefix="bench-graphql-") as folder:
        db, token_file = Path(folder) / "bench.db", Path(folder) / "bench.tokens.json"
        copy_store(prepared.store, db)
        service = RegistryService(SQLiteStore(db))
        counts = service.stats(Caller.system())["nodes"]
        print(f"registry: {counts.get('Dataset', 0)} datasets, {counts.get('Field', 0)} fields ({prepared.store.name})")
        token, _ = TokenStore(token_file).create(role="reviewer", clearance="public", name="bench")
        plan = _requests(service, args.requests)
        executed = distinct(plan, arguments(service))
        service.close()
        rows = [
            row for n in worker_counts for row in served(db, token_file, token, plan, executed, n, args.concurrency)
        ]

        # the baseline last, on its own: its levels are read from what the servers shared
        service = RegistryService(SQLiteStore(db), share_results=True)
        in_process(service, plan[: len(MIX)])  # warm caches (visibility) as the server warms its own
        # and settle the heap as the server does (registry.web.heap): freeze what survives
        # each full collection, otherwise every full collection rescanned the records and
        # neighbours kept so far (62-330 ms each at 10k, 14 in 400 executed requests)
        collector.freeze_survivors()
        collector.collect()
        baseline = in_process(service, plan)
        cold = in_process(service, executed)
        after_write = in_process(service, executed, before=drop_read_caches(service))
        plain = plain_execution(service, executed)
        service.close()
        collector.stop_freezing()

    report = Report("graphql", ["run", "concurrency", "requests", "rps", "p50_ms", "p95_ms"])
    report.add(run="in-process (baseline)", concurrency=1, **baseline)
    report.add(run="in-process (baseline), none kept", concurrency=1, **cold)
    report.add(run="in-process, none kept, caches dropped before each (as after a write)", concurrency=1, **after_write)
    if plain is not None:
        report.add(run="in-process, none kept, graphql-core's executor, nothing kept", concurrency=1, **plain)
    for row in rows:
        report.add(**row)
    size = f"{counts.get('Dataset', 0)} datasets, {counts.get('Field', 0)} fields"
    report.note(f"registry: {size}, generated by bench.registries (seed {args.seed})")
    report.note("HTTP rows: registry serve --workers N on 127.0.0.1, a reviewer token at public clearance")
    report.note(
        "none kept: each request's text made unique, so no kept answer serves it (every request executed); "
        f"dataset_detail and department_datasets rotate through {VARIETY} datasets and departments"
    )
    report.note("per query (p50 / p95 ms) of the executed rows:")
    for row in report.rows:
        if "none kept" in row["run"]:
            shown = ", ".join(
                f"{name} {found['p50_ms']:.0f}/{found['p95_ms']:.0f}" for name, found in row["per_query"].items()
            )
            report.note(f"  {row['run']} ({row['concurrency']} client(s)): {shown}")
    report.print()
    report.save({"registry": counts, "mix": list(MIX), "workers": worker_counts})


if __name__ == "__main__":
    main()
