"""A native JSON document read part by part, so that a national file (2M fields, 250 MB)
loads with the client holding one part at a time instead of the whole graph.

Two passes over the file, each one scan with ijson (its C parser):

1. *Check*: every item is validated and built exactly as ``native.read`` does, part by
   part, but only what later parts need is kept (``native.Shared``: where each entry was
   declared, the keys of invalid items, references not found yet). References are judged
   once the whole file has been seen, so every issue of the file is known before anything
   is written: a file with errors hands the service one part holding only its issues.
2. *Parts*: the items again, validated and built in parts of ``part_items`` items (a part
   of datasets holds their fields), each part's references resolved against the whole
   document. An edge to an entry that a later part declares (a system holding a dataset
   further down the file) waits until the end, so that every edge is written after both
   its ends, as the store requires.

What cannot stream is read whole (``native.read``): YAML, a file that is not UTF-8, and an
export with a ``records`` section (restored verbatim). The first pass also hashes the file.
"""

import codecs
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson

from registry.importers import native
from registry.importers.documents import is_yaml
from registry.importers.limits import DEFAULT, Limits
from registry.importers.streamed import Reread
from registry.schema.document import NativeDocument
from registry.schema.model import FIELD_KEY_SEPARATOR
from registry.schema.records import NodeRef
from registry.service.declaration import Declaration, DeclarationStream, EdgeDecl, RetireScope
from registry.service.errors import Issue

PART_ITEMS = 1_000
"""Items per part: a thousand datasets of a province's catalogue are about 20,000 fields."""
SECTIONS = frozenset(
    name for name, spec in NativeDocument.model_fields.items() if getattr(spec.annotation, "__origin__", None) is list
)
"""The list sections (departments, datasets, ..., complete), streamed item by item; the
other top-level names ($schema, version, records) are small and read whole."""
_OPEN = frozenset(("start_map", "start_array"))
_CLOSE = frozenset(("end_map", "end_array"))
_HASH_BLOCK = 1 << 20


class _Unreadable(Exception):
    """The file is not a JSON document the stream can read: one issue, nothing written."""


@dataclass
class _Header:
    """The top-level values that are not list sections, and the sections present."""

    values: dict[str, Any]
    sections: list[str]


def _utf8_digest(path: Path) -> str | None:
    """The file's sha256 if it is UTF-8 without a byte-order mark, else None (read whole)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = True
        while block := handle.read(_HASH_BLOCK):
            if first and block.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return None
            first = False
            digest.update(block)
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                return None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return digest.hexdigest()


def _events(path: Path, header: _Header, limits: Limits) -> Iterator[tuple[str, int, Any]]:
    """(section, position, item) for every item of every list section, in file order;
    the other top-level values go to ``header``. One parse, each item built from the
    parser's events, nesting at most ``limits.max_depth``. The parser's events carry no
    path (``basic_parse``): ijson's prefixed events spell the whole path at every level,
    which for a 200,000-deep array is quadratic before a depth check could see it."""
    builder: ijson.ObjectBuilder | None = None
    inner = 0  # containers open in the value being built
    outer = 0  # containers open above it: the root, and a section's array
    name = section = ""
    names: set[str] = set()
    position = 0
    try:
        with path.open("rb") as handle:
            for event, value in ijson.basic_parse(handle, use_float=True):
                if builder is None:
                    if outer == 0:
                        if event != "start_map":
                            raise _Unreadable("a native document is a mapping with sections such as datasets")
                        outer = 1
                        continue
                    if outer == 1 and event == "map_key":
                        if value in names:
                            raise _Unreadable(f"{value!r} appears twice at the top of the document")
                        name = value
                        names.add(name)
                        continue
                    if outer == 1 and event == "end_map":
                        outer = 0
                        continue
                    if outer == 1 and event == "start_array" and name in SECTIONS and name not in header.sections:
                        section, position, outer = name, 0, 2
                        header.sections.append(name)
                        continue
                    if outer == 2 and event == "end_array":
                        section, outer = "", 1
                        continue
                    builder = ijson.ObjectBuilder()
                    inner = 0
                builder.event(event, value)
                if event in _OPEN:
                    inner += 1
                    if inner + outer > limits.max_depth:
                        raise _Unreadable(f"it nests deeper than {limits.max_depth} levels")
                elif event in _CLOSE:
                    inner -= 1
                elif event == "number" and isinstance(value, int) and len(str(abs(value))) > limits.max_int_digits:
                    raise _Unreadable(f"a number has more than {limits.max_int_digits} digits")
                if inner == 0:
                    if section:
                        yield section, position, builder.value
                        position += 1
                    else:
                        header.values[name] = builder.value
                    builder = None
    except ijson.JSONError as exc:
        raise _Unreadable(f"not valid JSON: {(str(exc).splitlines() or [''])[0]}") from None


def _groups(path: Path, header: _Header, limits: Limits, size: int) -> Iterator[tuple[str, int, list[Any]]]:
    """Items of one section at a time, at most ``size``: (section, first position, items)."""
    group: list[Any] = []
    current, start = "", 0
    for section, position, item in _events(path, header, limits):
        if section != current or len(group) >= size:
            if group:
                yield current, start, group
            group, current, start = [], section, position
        group.append(item)
    if group:
        yield current, start, group


def _part(
    file: str, section: str, start: int, items: list[Any], shared: native.Shared
) -> tuple[Declaration, bool, list[Issue]]:
    """One group validated and built: its declaration, whether all of it made it in, and
    the validation issues (the builder's own are in the declaration)."""
    part = Declaration(source=file, format=native.NAME)
    doc, problems, cuts = native.validate(file, {section: items}, native.Cuts({section: start}))
    if doc is None:
        return part, False, problems
    complete = native.build(file, doc, part, cuts, shared)
    return part, complete and not problems, problems


def _check(file: str, path: Path, limits: Limits, size: int) -> "_Checked":
    """The first pass: every issue of the file, and what the second pass must know."""
    header = _Header({}, [])
    shared = native.Shared()
    issues: list[Issue] = []
    complete = True
    scoped = False
    for section, start, items in _groups(path, header, limits, size):
        part, whole, problems = _part(file, section, start, items, shared)
        issues += problems + part.issues
        complete = complete and whole
        scoped = scoped or bool(part.scopes)
    unresolved = shared.unresolved(file)
    _, header_problems, _ = native.validate(file, {**header.values, **{s: [] for s in header.sections}})
    issues = header_problems + issues + unresolved
    return _Checked(header, shared, issues, scoped, complete and not unresolved and not header_problems)


@dataclass
class _Checked:
    """What the first pass found."""

    header: _Header
    shared: native.Shared
    issues: list[Issue]
    scoped: bool
    """Whether the file declares any department complete (so that absence retires)."""
    complete: bool
    """Whether every item made it in."""


class _Order:
    """Whether the entry an edge points at is written by the time a part is: entries of
    the file are written in file order, entries it does not declare are already stored."""

    def __init__(self, header: _Header, shared: native.Shared) -> None:
        self.rank = {name: i for i, name in enumerate(header.sections)}
        self.shared = shared
        self.until = (-1, -1)

    def written(self, ref: NodeRef) -> bool:
        label, key = ref.label, ref.key
        if label == "Field":
            label, key = "Dataset", key.split(FIELD_KEY_SEPARATOR, 1)[0]
        where = self.shared.keys.get(label, {}).get(key)
        if where is None:
            return True
        return (self.rank[str(where[0])], int(where[1])) < self.until


def _parts(file: str, path: Path, checked: _Checked, *, skip_invalid: bool, limits: Limits, size: int
           ) -> Iterator[Declaration]:  # fmt: skip
    shared, complete = checked.shared, checked.complete
    first = Declaration(source=file, format=native.NAME, issues=list(checked.issues))
    if any(i.severity == "error" for i in first.issues) and not skip_invalid:
        yield first
        return
    if not complete and checked.scoped:
        first.issues.append(native.skipped_warning(file))
    yield first
    order = _Order(checked.header, shared)
    waiting: list[EdgeDecl] = []
    scopes: set[RetireScope] = set()
    for section, start, items in _groups(path, _Header({}, []), limits, size):
        part, _, _ = _part(file, section, start, items, shared)
        part.issues.clear()  # the first pass reported them
        order.until = (order.rank[section], start + len(items))
        ready = [e for e in part.edges if order.written(e.src) and order.written(e.dst)]
        if len(ready) < len(part.edges):
            waiting += [e for e in part.edges if not (order.written(e.src) and order.written(e.dst))]
            part.edges = ready
        new_scopes = [s for s in part.scopes if s not in scopes] if complete else []
        scopes.update(new_scopes)
        part.scopes = new_scopes
        yield part
    for at in range(0, len(waiting), size * 10):
        yield Declaration(source=file, format=native.NAME, edges=waiting[at : at + size * 10])


def stream(path: Path, *, skip_invalid: bool = False, part_items: int = PART_ITEMS) -> DeclarationStream:
    """``native.read`` as parts (see the module's docstring). Nothing is parsed before the
    file's size is checked against the import limits."""
    limits = DEFAULT
    limits.check_size(path.stat().st_size)
    digest = None if is_yaml(path) else _utf8_digest(path)
    if digest is None:
        return native.read(path, skip_invalid=skip_invalid).stream()
    file = str(path)
    try:
        checked = _check(file, path, limits, part_items)
    except _Unreadable as exc:
        return DeclarationStream(file, native.NAME, [Declaration(file, native.NAME, digest, issues=[
            Issue(file, None, None, None, str(exc))])], digest)  # fmt: skip
    if "records" in checked.header.values:
        return native.read(path, skip_invalid=skip_invalid).stream()

    def parts() -> Iterator[Declaration]:
        return _parts(file, path, checked, skip_invalid=skip_invalid, limits=limits, size=part_items)

    return DeclarationStream(file, native.NAME, Reread(path, parts), digest)


FORMAT = native.FORMAT.model_copy(update={"stream": stream})
"""The native format, streamed when loaded (``registry import``, ``load_stream``)."""
