"""A native JSON document read part by part, so that a national file (2M fields, 250 MB)
loads with the client holding one part at a time instead of the whole graph.

One pass over the file: the document's frame (the top-level mapping, each section's
array) is read here, each item by the json module's C decoder from a block of text held
at a time. Items are validated and built exactly as ``native.read`` does, in parts of
``part_items`` items (a part of datasets holds their fields), each part checked against
what the parts before it declared (``native.Shared``). What only the end of the file can
settle comes in the last part: references to entries declared further down (their
edges, so that every edge is written after both its ends), references to nothing (the
issues), the header's values, the retirement scopes and an export's records. Nothing is
written from here: ``registry.service.checking`` reads every part, and the file's
issues, before the load writes what it set aside, so a file with errors is refused
whole; one the parser cannot read at all is refused (``Unreadable``) wherever its fault.

What cannot stream is read whole (``native.read``): YAML and a file that is not UTF-8.
The file is hashed (and its encoding checked) before it is parsed.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from registry.importers import native
from registry.importers.documents import DocumentSyntaxError, is_yaml, json_decoder
from registry.importers.limits import DEFAULT, Limits, TooCostly, Unreadable
from registry.importers.source import sniff_file
from registry.importers.streamed import Reread
from registry.schema.document import NativeDocument
from registry.service.declaration import Declaration, DeclarationStream, EdgeDecl, RetireScope
from registry.service.errors import Issue

PART_ITEMS = 1_000
"""Items per part: a thousand datasets of a province's catalogue are about 20,000 fields."""
SECTIONS = frozenset(
    name for name, spec in NativeDocument.model_fields.items() if getattr(spec.annotation, "__origin__", None) is list
)
"""The list sections (departments, datasets, ..., complete), streamed item by item; the
other top-level names ($schema, version, records) are small and read whole."""
_BLOCK = 1 << 20
"""Characters of text held at once (more while one value is longer)."""
_SPACE = re.compile(r"[ \t\n\r]*")


class _Unreadable(Exception):
    """The file is not a JSON document the stream can read: one issue, nothing written."""


@dataclass
class _Header:
    """The top-level values that are not list sections, and the sections present."""

    values: dict[str, Any]
    sections: list[str]


class _Text:
    """The file's text, held a block at a time: values are decoded from it one by one by
    the json module's C scanner, and what precedes the current value is let go."""

    def __init__(self, handle: TextIO, limits: Limits) -> None:
        self.handle = handle
        self.limits = limits
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines = 0  # newlines in the text already let go
        self.column = 0  # characters after the last of them
        self.decoder = json_decoder(limits)

    def _more(self, size: int = _BLOCK) -> bool:
        """Append the next ``size`` characters, letting go of the text already read."""
        if self.eof:
            return False
        block = self.handle.read(size)
        if not block:
            self.eof = True
            return False
        gone = self.buf[: self.pos]
        newlines = gone.count("\n")
        self.lines += newlines
        self.column = len(gone) - gone.rfind("\n") - 1 if newlines else self.column + len(gone)
        self.buf = self.buf[self.pos :] + block
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]  # matches ""
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def take(self, allowed: str, what: str) -> str:
        found = self.peek()
        if not found or found not in allowed:
            self.fail(what)
        self.pos += 1
        return found

    def value(self, outer: int) -> Any:
        """The next value, decoded whole (in C); ``outer`` containers enclose it."""
        self.peek()
        size = _BLOCK
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # a value cut by the end of the block: read on (doubling, so that a long
                # value costs a few tries) until it ends or the file does
                if self.eof or (exc.pos < len(self.buf) - 64 and not exc.msg.startswith("Unterminated")):
                    self.fail(exc.msg, exc.pos)
                self._more(size)
                size *= 2
                continue
            except RecursionError:
                raise _Unreadable(f"it nests deeper than {self.limits.max_depth} levels") from None
            except (DocumentSyntaxError, TooCostly) as exc:
                raise _Unreadable(str(exc).removeprefix("not valid JSON: ")) from None
            if end == len(self.buf) and self._more(size):
                continue  # a number or literal may go on in the next block
            break
        start, self.pos = self.pos, end
        # nesting cannot exceed the brackets the value holds: only a value with many is walked
        room = self.limits.max_depth - outer
        if self.buf.count("[", start, end) + self.buf.count("{", start, end) > room and _depth(value, room) > room:
            raise _Unreadable(f"it nests deeper than {self.limits.max_depth} levels")
        return value

    def fail(self, reason: str, at: int | None = None) -> NoReturn:
        at = self.pos if at is None else at
        before = self.buf.count("\n", 0, at)
        line = self.lines + before + 1
        column = at - self.buf.rfind("\n", 0, at) if before else self.column + at + 1
        raise _Unreadable(f"not valid JSON: {reason} at line {line}, column {column}")


def _depth(value: Any, room: int) -> int:
    """How deeply ``value`` nests, counted up to one beyond ``room``."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > room:
            break
        inner = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in inner if isinstance(child, dict | list))
    return deepest


def _items(path: Path, header: _Header, limits: Limits) -> Iterator[tuple[str, int, Any]]:
    """(section, position, item) for every item of every list section, in file order;
    the other top-level values go to ``header``. The document's frame (the top-level
    mapping, a section's array) is read here, each item and header value by the json
    module's C decoder: its recursion guard bounds nesting as ``documents.parse`` does
    for a document read whole, and ``limits.max_depth`` is checked on what it built."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        text = _Text(handle, limits)
        first = text.peek()
        if first != "{":
            if first and first in '["-0123456789tfn':
                raise _Unreadable("a native document is a mapping with sections such as datasets")
            text.fail("Expecting value")
        text.pos += 1
        names: set[str] = set()
        if text.peek() == "}":
            text.pos += 1
        else:
            while True:
                if text.peek() != '"':
                    text.fail("Expecting property name enclosed in double quotes")
                name = text.value(1)
                if name in names:
                    raise _Unreadable(f"{name!r} appears twice at the top of the document")
                names.add(name)
                text.take(":", "Expecting ':' delimiter")
                if name in SECTIONS and text.peek() == "[":
                    text.pos += 1
                    header.sections.append(name)
                    position = 0
                    if text.peek() == "]":
                        text.pos += 1
                    else:
                        while True:
                            yield name, position, text.value(2)
                            position += 1
                            if text.take(",]", "Expecting ',' delimiter") == "]":
                                break
                else:
                    header.values[name] = text.value(1)
                if text.take(",}", "Expecting ',' delimiter") == "}":
                    break
        if text.peek():
            text.fail("Extra data")


def _groups(path: Path, header: _Header, limits: Limits, size: int) -> Iterator[tuple[str, int, list[Any]]]:
    """Items of one section at a time, at most ``size``: (section, first position, items)."""
    group: list[Any] = []
    current, start = "", 0
    for section, position, item in _items(path, header, limits):
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


def _parts(file: str, path: Path, *, skip_invalid: bool, limits: Limits, size: int) -> Iterator[Declaration]:
    """The document's parts in one pass. A reference to an entry that a later part
    declares (a system holding a dataset further down the file) is judged, and its edge
    written, once the whole file has been read, so that every edge comes after both its
    ends, as the store requires; so are the header's values, the retirement scopes (only
    a document whose every item made it in retires what it omits) and an export's records."""
    header = _Header({}, [])
    shared = native.Shared()
    complete = True
    scopes: dict[RetireScope, None] = {}
    waiting: list[EdgeDecl] = []
    for section, start, items in _groups(path, header, limits, size):
        part, whole, problems = _part(file, section, start, items, shared)
        part.issues[:0] = problems
        complete = complete and whole
        scopes.update(dict.fromkeys(part.scopes))
        part.scopes = []
        # shared.declared, inlined: this runs for every edge of a province's file
        fields, keys = shared.fields, shared.keys
        ready: list[EdgeDecl] = []
        for edge in part.edges:
            src, dst = edge.src, edge.dst
            ends = (src.key in fields if src.label == "Field" else src.key in keys[src.label]) and (
                dst.key in fields if dst.label == "Field" else dst.key in keys[dst.label]
            )
            (ready if ends else waiting).append(edge)
        part.edges = ready
        yield part
    unresolved = shared.unresolved(file)
    doc, header_problems, _ = native.validate(file, {**header.values, **{s: [] for s in header.sections}})
    last = Declaration(source=file, format=native.NAME, issues=header_problems + unresolved)
    last.records = doc.records if doc is not None else None
    if complete and not unresolved and not header_problems:
        last.scopes = list(scopes)
    elif scopes and skip_invalid:
        last.issues.append(native.skipped_warning(file))
    ready = [e for e in waiting if shared.declared(e.src.label, e.src.key) and shared.declared(e.dst.label, e.dst.key)]
    last.edges = ready[: size * 10]
    yield last
    for at in range(size * 10, len(ready), size * 10):
        yield Declaration(source=file, format=native.NAME, edges=ready[at : at + size * 10])


def _guarded(path: Path, parts: Iterator[Declaration]) -> Iterator[Declaration]:
    """A document that cannot be read refuses the whole file, whatever was read before
    the fault and even with ``skip_invalid``: its reason names the file."""
    try:
        yield from parts
    except _Unreadable as exc:
        raise Unreadable(f"{path}: {exc}") from None


def stream(path: Path, *, skip_invalid: bool = False, part_items: int = PART_ITEMS) -> DeclarationStream:
    """``native.read`` as parts (see the module's docstring). Nothing is parsed before the
    file's size is checked against the import limits."""
    limits = DEFAULT
    limits.check_size(path.stat().st_size)
    sniffed = None if is_yaml(path) else sniff_file(path)
    if sniffed is None or sniffed.encoding != "utf-8-sig":
        return native.read(path, skip_invalid=skip_invalid).stream()
    file = str(path)

    def parts() -> Iterator[Declaration]:
        return _guarded(path, _parts(file, path, skip_invalid=skip_invalid, limits=limits, size=part_items))

    return DeclarationStream(file, native.NAME, Reread(path, parts), sniffed.sha256)


FORMAT = native.FORMAT.model_copy(update={"stream": stream})
"""The native format, streamed when loaded (``registry import``, ``load_stream``)."""
