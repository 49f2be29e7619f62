"""Cells that are safe to open in a spreadsheet.

A CSV or XLSX cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) is run as a formula by Excel and LibreOffice: a provider
named ``=cmd|' /C calc'!A0`` in a department's catalogue would become a command on the
planner's machine when the registry's output is opened. Every CSV the project writes
passes its cells through ``safe_cell``; XLSX cells are written as text (``data_type``
``"s"``), which no spreadsheet evaluates.
"""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with text that a spreadsheet would evaluate prefixed by ``'`` (numbers,
    including negative ones, are left as numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
