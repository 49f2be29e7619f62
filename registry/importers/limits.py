"""What one file may cost to read, checked before or while parsing.

A file is untrusted: a 4.7 KB workbook can declare a merged range of 17 billion cells,
a zip member can claim to unpack to gigabytes, and a CSV cell can hold a megabyte.
Each bound below is checked before the expensive step it protects (the zip directory
before anything is unpacked, the sheet XML before openpyxl builds a cell, the text
before JSON or YAML builds objects), so a hostile file is refused in milliseconds
with a sentence naming the bound, and an honest province-sized catalogue still fits.
The defaults follow Excel's own limits where it has one (32,767 characters a cell).
"""

import os
from dataclasses import dataclass

from registry.service.errors import InvalidInput

MIB = 1024 * 1024


class Unreadable(InvalidInput):
    """A file that cannot be read at all: refused by a limit, or broken beyond parsing.
    Its message names the file and the reason; nothing of it is written."""


class TooCostly(InvalidInput):
    """The file is beyond one of the bounds in ``Limits``; nothing of it is read further."""


def _env(name: str, default: int) -> int:
    """Operators of an unusually large registry may raise a bound without a code change."""
    raw = os.environ.get(f"REGISTRY_IMPORT_{name}")
    if raw is None or not raw.strip().isdigit():
        return default
    return int(raw)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 512 * MIB
    """Size of the file as stored."""
    max_unzipped: int = 512 * MIB
    """Sum of an xlsx's members' declared sizes (zipfile never inflates past them)."""
    max_members: int = 2_000
    """Members of an xlsx (a workbook of a few sheets has a few dozen)."""
    max_ratio: int = 200
    """Unpacked size over packed size of one xlsx member; spreadsheets stay under 100."""
    max_rows: int = 200_000
    """Rows of a CSV or of one sheet: a province's whole catalogue in one sheet."""
    max_cells: int = 5_000_000
    """Cells of a CSV or of all sheets (each sheet as wide as its widest row), counting
    the cells merged ranges fill: 200,000 rows of 25 columns."""
    max_cell_chars: int = 32_767
    """Characters of one cell: Excel's own limit."""
    max_merges: int = 100_000
    """Merged ranges of one sheet."""
    max_depth: int = 64
    """Nesting of a JSON/YAML document (the native format nests five levels)."""
    max_items: int = 50_000_000
    """Values a JSON/YAML document expands to, counting every use of a YAML alias."""
    max_int_digits: int = 30
    """Digits of a number in JSON/YAML; longer ones are refused (JSON) or kept as text (YAML)."""

    @classmethod
    def from_env(cls) -> "Limits":
        base = cls()
        return cls(
            max_bytes=_env("MAX_BYTES", base.max_bytes),
            max_unzipped=_env("MAX_UNZIPPED", base.max_unzipped),
            max_rows=_env("MAX_ROWS", base.max_rows),
            max_cells=_env("MAX_CELLS", base.max_cells),
        )

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise TooCostly(f"the file has {size:,} bytes, more than the {self.max_bytes:,} an import may read")


DEFAULT = Limits.from_env()
