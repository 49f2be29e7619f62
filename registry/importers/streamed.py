"""A file's parts read afresh each time they are iterated, refused cleanly when hostile.

A load reads a file twice (checked whole first, then written; ``registry.service.
checking``), so a streamed format hands the service a ``Reread``: each iteration opens
the file again and yields its parts as they are parsed, holding one part at a time. What
a parser raises on a malformed or hostile file becomes ``Unreadable`` naming the file and
the reason, exactly as when a file is read whole, and a file that changed between the
two passes is refused rather than written unchecked.
"""

import csv
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError

from registry.importers.limits import TooCostly, Unreadable
from registry.service.declaration import Declaration

HOSTILE = (
    ArithmeticError,
    LookupError,
    MemoryError,
    ParseError,
    RecursionError,
    TypeError,
    ValueError,
    csv.Error,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
)
"""What parsing a malformed or hostile file raises from inside a parser (csv, json,
yaml, zip, the XML under openpyxl): each becomes the file's one error, not a traceback."""


def refusal(path: Path, exc: BaseException) -> Unreadable:
    """The one error a file gets for what its parser raised."""
    if isinstance(exc, TooCostly):
        reason = f"refused: {exc}"
    elif isinstance(exc, MemoryError):
        reason = "refused: reading the file ran out of memory"
    elif isinstance(exc, RecursionError):
        reason = "refused: the file nests deeper than can be read"
    else:
        reason = f"cannot read the file: {type(exc).__name__}: {str(exc)[:200]}"
    return Unreadable(f"{path}: {reason}")


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


class Reread:
    """The parts ``read_parts`` makes of ``path``, read again on every iteration."""

    def __init__(self, path: Path, read_parts: Callable[[], Iterator[Declaration]]) -> None:
        self.path = path
        self.read_parts = read_parts
        self.stamp = _stamp(path)

    def __iter__(self) -> Iterator[Declaration]:
        if _stamp(self.path) != self.stamp:
            raise Unreadable(f"{self.path}: the file changed while it was being imported; nothing was written")
        return self._guarded()

    def _guarded(self) -> Iterator[Declaration]:
        try:
            yield from self.read_parts()
        except (TooCostly, *HOSTILE) as exc:
            raise refusal(self.path, exc) from None
