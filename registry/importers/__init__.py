"""The formats a registry can be loaded from, each registered by name.

Reading never writes: an importer turns a file into a ``Declaration`` (nodes, edges,
retirement scopes and every issue found in the file) and the service's ``load`` decides
what is written. A format is chosen by name or, when none is given, by asking each
registered format whether it recognises the file (``sniff``), highest priority first
(``registry.importers.formats``).
"""

from pathlib import Path

from registry.collector import gc_paused
from registry.importers import catalogue, ckan, dcat_ap, dcat_us, native_stream, projects
from registry.importers.base import Format, Probe, UnknownFormat
from registry.importers.export import Records, export_document, records_of, write_document
from registry.importers.formats import DuplicateFormat, FormatRegistry
from registry.importers.limits import DEFAULT, Limits, TooCostly, Unreadable
from registry.importers.streamed import HOSTILE, refusal
from registry.service.declaration import Declaration, DeclarationStream
from registry.service.errors import InvalidInput

REGISTRY = FormatRegistry()


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
    except (TooCostly, *HOSTILE) as exc:
        raise refusal(path, exc) from None


def stream(path: Path | str, format: str | None = None, *, skip_invalid: bool = False) -> DeclarationStream:
    """``read`` as parts for ``RegistryService.load_stream``, within the same limits: the
    size is checked before anything is parsed, the rest as the parts are read. A format
    that streams reads the file again on each pass over its parts (``streamed.Reread``)
    and holds one part at a time; any other is read whole, once, into one part."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    fmt = get_format(format) if format else detect(path)
    if fmt.stream is None:
        return read(path, format or fmt.name, skip_invalid=skip_invalid).stream()
    try:
        DEFAULT.check_size(path.stat().st_size)
        return fmt.stream(path, skip_invalid=skip_invalid)
    except (TooCostly, *HOSTILE) as exc:
        raise refusal(path, exc) from None


register(catalogue.FORMAT)
register(native_stream.FORMAT)
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
    "write_document",
]
