"""The formats a registry can be loaded from, each registered by name.

Reading never writes: an importer turns a file into a ``Declaration`` (nodes, edges,
retirement scopes and every issue found in the file) and the service's ``load`` decides
what is written. A format is chosen by name or, when none is given, by asking each
registered format whether it recognises the file (``sniff``), in registration order.
"""

from pathlib import Path

from registry.collector import gc_paused
from registry.importers import catalogue, native
from registry.importers.base import Format, UnknownFormat
from registry.importers.export import export_document, has_records, read_document, restore_document, write_document
from registry.service.declaration import Declaration
from registry.service.errors import InvalidInput

_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> list[str]:
    return list(_FORMATS)


def get_format(name: str) -> Format:
    fmt = _FORMATS.get(name.strip().lower())
    if fmt is None:
        raise UnknownFormat(f"unknown format {name!r}; known formats: {', '.join(_FORMATS)}")
    return fmt


def detect(path: Path) -> Format:
    for fmt in _FORMATS.values():
        if fmt.sniff(path):
            return fmt
    described = "; ".join(f"{f.name} ({', '.join(f.suffixes)})" for f in _FORMATS.values())
    raise UnknownFormat(f"cannot tell the format of {path}; pass one of: {described}")


def read(path: Path | str, format: str | None = None, *, skip_invalid: bool = False) -> Declaration:
    """The declaration in ``path`` with all of its issues. With ``skip_invalid`` the rows
    with errors are left out of nodes and edges (and still reported), so the service can
    write the rest. Reading builds millions of small acyclic objects (a province's
    fields), which would otherwise trigger cyclic collections that rescan everything
    read so far: half of reading 200k fields."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    fmt = get_format(format) if format else detect(path)
    with gc_paused():
        return fmt.read(path, skip_invalid=skip_invalid)


register(catalogue.FORMAT)
register(native.FORMAT)

__all__ = [
    "Format",
    "UnknownFormat",
    "detect",
    "export_document",
    "formats",
    "get_format",
    "has_records",
    "read",
    "read_document",
    "register",
    "restore_document",
    "write_document",
]
