"""Errors the service raises; their messages are written to be shown to the caller and
never name anything the caller may not see."""

from collections.abc import Iterable
from dataclasses import dataclass


class ServiceError(Exception):
    pass


class NotFound(ServiceError):
    """Raised alike for what does not exist and for what the caller may not see."""


class PermissionDenied(ServiceError):
    pass


class InvalidInput(ServiceError):
    pass


class Busy(ServiceError):
    """Another process held the registry for writing longer than a write may wait
    (nothing was written), or kept writing through every attempt of a read for a caller
    not cleared for everything (``VisibilityCache.read_hidden``); the same request may
    simply be tried again."""


@dataclass(frozen=True)
class Issue:
    """One bad value: where it is (file, row, column), what it was and why it is wrong.
    Rows count from 1 as a spreadsheet shows them; for JSON/YAML the row is the item's
    path (``datasets[3].fields[2]``)."""

    file: str
    row: int | str | None
    column: str | None
    value: str | None
    reason: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" {self.value!r}:"
        return f"{where}:{shown} {self.reason}"


def rejected_rows(issues: Iterable[Issue]) -> int:
    """How many rows the errors among ``issues`` keep out: a row with three bad values is
    one rejected row."""
    return len({(i.file, i.row) for i in issues if i.severity == "error"})


class ImportRejected(ServiceError):
    """A file had errors and nothing from it was written."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        errors = sum(1 for i in issues if i.severity == "error")
        super().__init__(f"{errors} invalid value(s); nothing was written")


class RetireLimitExceeded(ServiceError):
    pass
