"""The CLI end to end on a real Bolt server, beside the same commands on the embedded
store: the demo loaded into each, then every read command compared output for output
(timestamps, batch ids and the store's location are the only differences allowed)."""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from registry.cli import main
from registry.store.neo4j import Neo4jStore
from tests.bolt_server import free_port
from tests.cli.conftest import summary
from tests.cli.test_bad_input import BAD, _row, _write
from tests.conftest import BoltDatabase

_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
_BATCH = re.compile(r"batch-\d{8}T\d{6}-[0-9a-f]{8}")
_VERSION = re.compile(r"version: \d+")


def registry(store: str, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--store", store, *args], env={"COLUMNS": "250", "REGISTRY_USER": "端到端"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def normalised(output: str, *locations: str) -> str:
    for location in locations:
        output = output.replace(location, "<store>")
    return _BATCH.sub("<batch>", _AT.sub("<at>", output))


@dataclass(frozen=True)
class Pair:
    """The demo registry on both stores."""

    bolt: str
    bolt_shown: str
    sqlite: str
    demo_outputs: tuple[Result, Result]

    def both(self, *args: str) -> tuple[Result, Result]:
        return registry(self.bolt, *args), registry(self.sqlite, *args)


def _empty(url: str) -> str:
    store = Neo4jStore.from_url(url)
    try:
        store.wipe()
        return store.url
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(bolt_database: BoltDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    url = bolt_database("cli")
    shown = _empty(url)
    sqlite = str(tmp_path_factory.mktemp("cli") / "registry.db")
    outputs = (registry(url, "demo"), registry(sqlite, "demo"))
    yield Pair(url, shown, sqlite, outputs)


def test_demo_prints_the_same_on_both_stores(demo: Pair) -> None:
    bolt, sqlite = demo.demo_outputs
    assert bolt.exit_code == sqlite.exit_code == 0
    assert summary(bolt.output)["created"] > 1000  # the demo's import summary
    assert normalised(bolt.output) == normalised(sqlite.output)


@pytest.mark.parametrize(
    "args",
    [
        ("stats",),
        ("show", "欠税公告信息", "--history", "3"),
        ("show", "国家税务总局"),
        ("duplicates",),
        ("duplicates", "--json"),
        ("gaps",),
        ("check",),
    ],
    ids=" ".join,
)
def test_reads_answer_alike(demo: Pair, args: tuple[str, ...]) -> None:
    bolt, sqlite = demo.both(*args)
    assert bolt.exit_code == sqlite.exit_code, bolt.output
    assert "Traceback" not in bolt.output
    ours, theirs = normalised(bolt.output, demo.bolt_shown), normalised(sqlite.output, demo.sqlite)
    if args[0] == "show":
        # history is ordered by time, to the second: entries of the demo's files that fell
        # in one second on one store and in two on the other differ only in order
        ours, theirs = "\n".join(sorted(ours.splitlines())), "\n".join(sorted(theirs.splitlines()))
    assert ours == theirs
    assert len(bolt.output.splitlines()) > 2


def test_a_bad_file_is_reported_alike_and_writes_nothing(demo: Pair, tmp_path: Path) -> None:
    bad = _write(tmp_path / "杭州市数据资源管理局.csv", [_row(**changes) for _, _, changes in BAD])
    before = registry(demo.bolt, "stats").output
    bolt, sqlite = demo.both("import", str(bad))
    assert bolt.exit_code == sqlite.exit_code == 2
    assert normalised(bolt.output) == normalised(sqlite.output)
    assert "发布日期" in bolt.output and "Traceback" not in bolt.output
    assert registry(demo.bolt, "stats").output == before


def test_export_and_import_into_an_empty_bolt_database_is_exact(
    demo: Pair, bolt_database: BoltDatabase, tmp_path: Path
) -> None:
    """On an external server the copy is the same database: wiped after the export, and
    the exact restore leaves it as the other tests expect."""
    first, second = tmp_path / "registry.json", tmp_path / "copy.json"
    assert registry(demo.bolt, "export", str(first)).exit_code == 0
    before = _VERSION.sub("", normalised(registry(demo.bolt, "stats").output, demo.bolt_shown))
    copy = bolt_database("cli_copy")
    copy_shown = _empty(copy)
    imported = registry(copy, "import", str(first))
    assert imported.exit_code == 0 and "restored" in imported.output, imported.output
    assert registry(copy, "export", str(second)).exit_code == 0
    a = json.loads(first.read_text(encoding="utf-8"))["records"]
    b = json.loads(second.read_text(encoding="utf-8"))["records"]
    for part in ("batches", "nodes", "edges"):
        assert a[part] == b[part], part
    assert len(a["nodes"]) > 500 and a["history"]
    assert [{k: v for k, v in h.items() if k != "seq"} for h in a["history"]] == [
        {k: v for k, v in h.items() if k != "seq"} for h in b["history"]
    ]
    # a restore is one write: the copy's version counter starts again
    assert _VERSION.sub("", normalised(registry(copy, "stats").output, copy_shown)) == before


def test_an_unreachable_server_is_one_line() -> None:
    result = registry(f"bolt://127.0.0.1:{free_port()}", "show", "不动产")
    assert result.exit_code != 0
    message = result.output.strip()
    assert "cannot reach Neo4j at bolt://127.0.0.1:" in message
    assert "Traceback" not in message and len(message.splitlines()) == 1
