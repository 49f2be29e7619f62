"""The formats a registry can be loaded from, each registered by name.

Reading never writes: an importer turns a file into a ``Declaration`` (nodes, edges,
retirement scopes and every issue found in the file) and the service's ``load`` decides
what is written. A format is chosen by name or, when none is given, by asking each
registered format whether it recognises the file (``sniff``), highest priority first
(``registry.importers.formats``).
"""

import csv
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from registry.collector import gc_paused
from registry.importers import catalogue, ckan, dcat_ap, dcat_us, native, projects
from registry.importers.base import Format, Probe, UnknownFormat
from registry.importers.export import Records, export_document, records_of, write_document
from registry.importers.formats import DuplicateFormat, FormatRegistry
from registry.importers.limits import DEFAULT, Limits, TooCostly, Unreadable
from registry.service.declaration import Declaration, DeclarationStream
from registry.service.errors import InvalidInput

REGISTRY = FormatRegistry()

_HOSTILE = (
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


def register(fmt: Format) -> Format:
    """Add a format; a name already taken, or a priority tie on a shared suffix, is refused."""
    return REGISTRY.register(fmt)


def formats() -> list[str]:
    """Format names in detection order."""
    return REGISTRY.names()


def get_format(name: str) -> Format:
    return REGISTRY.get(name)


def detect(path: Path) -> Format:
    return REGISTRY.detect(path)


def read(path: Path | str, format: str | None = None, *, skip_invalid: bool = False) -> Declaration:
    """The declaration in ``path`` with all of its issues. With ``skip_invalid`` the rows
    with errors are left out of nodes and edges (and still reported), so the service can
    write the rest. A file that cannot be read at all (a damaged container, more than
    the import limits allow, ``registry.importers.limits``) raises ``Unreadable`` naming
    the file and the reason; a readable file's bad values are issues. Reading builds
    millions of small acyclic objects (a province's fields), which would otherwise trigger
    cyclic collections that rescan everything read so far: half of reading 200k fields."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    fmt = get_format(format) if format else detect(path)
    try:
        DEFAULT.check_size(path.stat().st_size)
        with gc_paused():
            return fmt.read(path, skip_invalid=skip_invalid)
    except TooCostly as exc:
        reason = f"refused: {exc}"
    except MemoryError:
        reason = "refused: reading the file ran out of memory"
    except RecursionError:
        reason = "refused: the file nests deeper than can be read"
    except _HOSTILE as exc:
        reason = f"cannot read the file: {type(exc).__name__}: {str(exc)[:200]}"
    raise Unreadable(f"{path}: {reason}")


def stream(path: Path | str, format: str | None = None, *, skip_invalid: bool = False) -> DeclarationStream:
    """``read`` as parts for ``RegistryService.load_stream``: a format that can stream
    hands out parts as they are read, any other is read whole into one part."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    fmt = get_format(format) if format else detect(path)
    if fmt.stream is not None:
        return fmt.stream(path, skip_invalid=skip_invalid)
    with gc_paused():
        return fmt.read(path, skip_invalid=skip_invalid).stream()


def streams(path: Path | str, format: str | None = None) -> bool:
    """Whether ``path`` is of a format that hands out its parts as they are read."""
    try:
        fmt = get_format(format) if format else detect(Path(path))
    except InvalidInput:
        return False
    return fmt.stream is not None


register(catalogue.FORMAT)
register(native.FORMAT)
register(dcat_us.FORMAT)
register(ckan.FORMAT)
register(dcat_ap.FORMAT)
register(projects.FORMAT)

__all__ = [
    "REGISTRY",
    "DuplicateFormat",
    "Format",
    "Limits",
    "Probe",
    "Records",
    "UnknownFormat",
    "Unreadable",
    "detect",
    "export_document",
    "formats",
    "get_format",
    "read",
    "records_of",
    "register",
    "stream",
    "streams",
    "write_document",
]
