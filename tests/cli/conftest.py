"""Running the ``registry`` command in-process against a store in the test's tmp dir."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from registry.cli import main

Run = Callable[..., Result]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


@pytest.fixture
def run(store: Path) -> Run:
    """``run("stats")`` runs ``registry --store <tmp> stats`` with a wide terminal, so
    tables are not folded and rows can be read back."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, ["--store", str(store), *args], env={"COLUMNS": "250"})

    return invoke


def table_row(output: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is ``first_cell``."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if cells and cells[0] == first_cell:
            return cells[1:]
    raise AssertionError(f"no table row {first_cell!r} in:\n{output}")


def summary(output: str, first_cell: str = "total") -> dict[str, int]:
    """created/updated/unchanged/retired/rejected of one row of the import summary."""
    names = ("created", "updated", "unchanged", "retired", "rejected")
    return dict(zip(names, map(int, table_row(output, first_cell)), strict=True))


def counts(output: str) -> dict[str, int]:
    """``registry stats`` as {kind: count}."""
    found: dict[str, int] = {}
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if len(cells) == 2 and cells[1].isdigit():
            found[cells[0]] = int(cells[1])
    return found
