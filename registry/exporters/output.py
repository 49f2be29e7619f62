"""Writing an export: under a temporary name, renamed when complete, so an interrupted
export never leaves a half-written file under the name asked for."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


@dataclass
class Written:
    """What an export wrote."""

    nodes: int = 0
    edges: int = 0
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the format could not carry, said to the user (never about hidden entries)."""


@contextmanager
def text_file(path: Path) -> Iterator[TextIO]:
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
