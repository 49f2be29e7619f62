"""Every hostile file of the corpus is refused the same way: exit status 2, a reason naming
the file, no traceback, nothing written, within seconds and well under a gigabyte.

The corpus (tests/importers/hostile.py) covers the causes that once crashed the importer
(a merged range over the whole sheet, a million-row sheet, a 131,073-character CSV cell,
JSON nested 200,000 deep, integers of 4,301 digits, malformed XML inside an xlsx, bad cell
types, a damaged zip) and around them random bytes, truncations, flipped bytes, wrong
encodings, zip bombs and YAML tags, anchors and nesting. Files run in-process through
click's runner, a handful through a real ``registry`` process with a 1 GB address-space
cap, which is the bound a server's upload parse has too.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from tests.importers.hostile import CORPUS

SECONDS = 20.0
GIB = 1024**3


def test_the_corpus_is_large_and_covers_every_cause() -> None:
    assert len(CORPUS) >= 200
    for cause in (
        "merge-bomb",
        "rows-million",
        "cell-huge",
        "json-deep",
        "yaml-deep",
        "int-huge",
        "xml-",
        "cell-type",
        "zip-bomb",
        "zip-truncated",
        "random-",
        "encoding-",
        "yaml-python",
        "yaml-billion",
    ):
        assert any(name.startswith(cause) for name in CORPUS), cause


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_is_refused_cleanly(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(CORPUS[name]())
    store = tmp_path / "registry.db"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["--store", str(store), "import", str(path)], env={"COLUMNS": "200"})
    elapsed = time.monotonic() - started
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert name in result.output
    assert not store.exists(), "a refused import must not even create the store"
    assert elapsed < SECONDS
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < GIB, f"the test process reached {peak / GIB:.2f} GiB"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


@pytest.mark.parametrize("name", ["merge-bomb-full-sheet.xlsx", "json-deep-top-200000.json"])
def test_hostile_file_in_a_real_process_under_one_gigabyte(name: str, tmp_path: Path) -> None:
    """A separate process capped at 1 GB: a file that needed more would die of MemoryError
    or be killed, not exit 2 with its reason."""
    path = tmp_path / name
    path.write_bytes(CORPUS[name]())
    store = tmp_path / "registry.db"
    done = subprocess.run(
        [sys.executable, "-c", "from registry.cli import main; main()", "--store", str(store), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
        env={**os.environ, "COLUMNS": "250"},
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert name in done.stdout + done.stderr
    assert not store.exists()
