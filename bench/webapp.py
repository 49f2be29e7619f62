"""The web pages' own GraphQL queries on a large registry: dashboard and explorer.

Run: ``flock /tmp/bigrun.lock python -m bench.webapp [--datasets 100000] [--store PATH]``.

The queries are read out of the pages' scripts (``registry/web/static/app/*.js``), so what
is measured is exactly what a browser sends. ``registry serve`` runs in a subprocess on
127.0.0.1 with a public-clearance reviewer token (every read pays for visibility). For
each query: the first answer after start (cold: projection, clearance levels and every
analysis are computed), then the median of repeated answers (warm), and the size of the
answer. Targets (issue 12): dashboard data <= 2 s warm, an explorer expand <= 300 ms, no
answer over 2 MB.

Baselines, in the same process and server: ``stats`` (the cheapest page query there is),
and what the pages would have had to ship without the aggregate queries — every finding
list (``duplicates`` x2, ``sharingGaps``, ``placementFindings``; last, and skipped with
``--no-lists``) and the full ``sharingMatrix`` for the dashboard, and a department's typed
page (``department { systems datasets }``) for an expand. After the expands a finding is
dismissed through ``reviewFinding`` and the dashboard asked again: its first answer shows
whether the decision made the analyses run again. The server's peak RSS is noted.
"""

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2

from bench.common import Report
from bench.registries import prepare
from registry.web.tokens import TokenStore

APP = Path(__file__).resolve().parents[1] / "registry" / "web" / "static" / "app"
LIMIT_BYTES = 2 * 1024 * 1024
BASELINES = {
    "stats": "{ stats { nodes { name count } edges { name count } } }",
    "finding lists": """{ s: duplicates(kind: SYSTEM) { rule members { key name } evidence }
        d: duplicates(kind: DATASET) { rule members { key name } evidence }
        sharingGaps { kind rule subject department evidence } placementFindings { rule system evidence } }""",
    "full sharingMatrix": "{ sharingMatrix { departments { code name } cells { provider consumer datasets } total } }",
    "typed department page": """query($code: String!) { department(code: $code) { name
        systems { code name network secrecyLevel } datasets { resourceCode name shareType } } }""",
}


def page_query(script: str, name: str) -> str:
    """The GraphQL text a page script holds in ``const NAME = `...```."""
    text = (APP / script).read_text(encoding="utf-8")
    found = re.search(rf"const {name} = `(.*?)`;", text, re.S)
    if found is None:
        raise SystemExit(f"{script} has no query {name}")
    fields = re.search(r'const NODE_FIELDS = "([^"]*)"', text)
    return found.group(1).replace("${NODE_FIELDS}", fields.group(1) if fields else "")


def _post(client: httpx2.Client, query: str, variables: dict[str, Any]) -> tuple[float, int, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables})
    elapsed = time.perf_counter() - started
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"query failed: {response.status_code} {str(body)[:500]}")
    return elapsed, len(response.content), body["data"]


def measure(client: httpx2.Client, query: str, variables: dict[str, Any], repeat: int) -> dict[str, Any]:
    cold, size, _ = _post(client, query, variables)
    warm = [_post(client, query, variables)[0] for _ in range(repeat)]
    return {
        "cold_s": round(cold, 3),
        "warm_ms": round(statistics.median(warm) * 1000, 1),
        "kib": round(size / 1024, 1),
        "over_2mb": size > LIMIT_BYTES,
    }


RELATIONS = [
    "OPERATES", "PROVIDES", "HOLDS", "SHARED_WITH", "HAS_FIELD", "DERIVED_FROM", "MEANS",
    "EXPOSED_VIA", "NEEDS", "FOR", "BUILDS", "LED_BY", "CO_BUILT_BY",
]  # fmt: skip


REVIEW = """mutation($id: String!) { reviewFinding(id: $id, decision: DISMISSED, reason: "bench: 复核不影响分析缓存") {
  status } }"""


def run(client: httpx2.Client, report: Report, repeat: int, lists: bool) -> None:
    def add(page: str, name: str, query: str, variables: dict[str, Any] | None = None) -> None:
        report.add(page=page, query=name, **measure(client, query, variables or {}, repeat))

    add("baseline", "stats", BASELINES["stats"])
    dashboard = page_query("dashboard.js", "QUERY")
    add("dashboard", "Dashboard (whole page)", dashboard)
    ranked = [d["code"] for d in _post(client, dashboard, {})[2]["dashboard"]["departments"]["items"]]
    busiest = ranked[0]
    neighbours = page_query("explore.js", "NEIGHBOURS")

    def expand(kind: str, key: str) -> dict[str, Any]:
        return {"entries": [{"kind": kind, "key": key}], "relations": RELATIONS, "limit": 100}

    nodes = _post(client, neighbours, expand("DEPARTMENT", busiest))[2]["neighbourhood"]["nodes"]
    system = next(n["key"] for n in nodes if n["label"] == "System")
    dataset = next(n["key"] for n in nodes if n["label"] == "Dataset")
    for kind, key in (("DEPARTMENT", busiest), ("SYSTEM", system), ("DATASET", dataset)):
        add("explorer", f"expand {kind.lower()}", neighbours, expand(kind, key))
    add("baseline", "typed department page", BASELINES["typed department page"], {"code": busiest})

    # a review decision, then the dashboard again: the analyses must not run again
    finding = _post(client, "{ findings(first: 1) { items { id } } }", {})[2]["findings"]["items"][0]["id"]
    _post(client, REVIEW, {"id": finding})
    seconds, size, _ = _post(client, dashboard, {})
    report.add(
        page="dashboard",
        query="after a review decision (first answer)",
        cold_s=round(seconds, 3),
        warm_ms=round(seconds * 1000, 1),
        kib=round(size / 1024, 1),
        over_2mb=size > LIMIT_BYTES,
    )
    add("baseline", "full sharingMatrix", BASELINES["full sharingMatrix"])
    add("explorer", "suggest 信息", page_query("explore.js", "SUGGEST"), {"text": "信息"})
    if len(ranked) > 1:
        ends = {"source": {"kind": "DEPARTMENT", "key": busiest}, "target": {"kind": "DEPARTMENT", "key": ranked[1]}}
        add("explorer", "data paths", page_query("explore.js", "PATHS"), ends)
    if lists:
        add("baseline", "finding lists", BASELINES["finding lists"])


def peak_rss_mib(pid: int) -> int:
    """The server's peak resident memory (``VmHWM``), 0 where /proc is not available."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def start_server(store: Path, tokens: Path, wait_s: float = 600) -> tuple[subprocess.Popen[bytes], str]:
    """``registry serve`` on a free loopback port; at 100k datasets opening the store takes
    longer than ``bench.graphql``'s 30 s."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-c", "from registry.cli import main; main()", "--store", str(store)]
    command += ["serve", "--port", str(port), "--tokens", str(tokens), "--workers", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("registry serve exited at start")
        try:
            if httpx2.get(f"{url}/health", timeout=5).status_code == 200:
                return process, url
        except httpx2.TransportError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"registry serve did not answer /health within {wait_s:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--store", type=Path, default=None, help="A registry file to copy instead of generating one.")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-lists",
        action="store_true",
        help="Skip the 'finding lists' baseline (every finding list in full: minutes at 100k datasets).",
    )
    args = parser.parse_args()
    source = args.store or prepare(args.datasets).store

    with tempfile.TemporaryDirectory(prefix="bench-webapp-") as folder:
        db = Path(folder) / "registry.db"
        shutil.copyfile(source, db)
        tokens = Path(folder) / "tokens.json"
        token, _ = TokenStore(tokens).create(role="reviewer", clearance="public", name="bench")
        process, url = start_server(db, tokens)
        report = Report("webapp", ["page", "query", "cold_s", "warm_ms", "kib", "over_2mb"])
        try:
            with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=3600) as client:
                run(client, report, args.repeat, lists=not args.no_lists)
        finally:
            report.note(f"server peak RSS: {peak_rss_mib(process.pid):,} MiB")
            process.terminate()
            process.wait(timeout=30)
    report.note(f"registry: {source} (public-clearance reviewer token); warm = median of {args.repeat}")
    report.print()
    report.save()


if __name__ == "__main__":
    main()
