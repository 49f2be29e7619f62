"""The first of a load's two passes over a file: everything is checked before anything
is written.

A file is read once here, part by part: its issues, retirement scopes and the keys of
what it declares are collected, its relations checked against the graph model, and each
part that may be written is set aside on disk (``Spill``) in the form the store takes.
The load writes from there, only if this pass found the file clean (or the caller asked
to skip what is invalid). So a refused file leaves nothing on any store, one that
commits part by part (Neo4j) included; memory stays bounded by a part and the keys; the
file is parsed once; and what is written is exactly what was checked, even if the file
changes meanwhile. Nothing here reads the store: the CLI checks every file of an import
before it even opens the registry.
"""

import marshal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import BinaryIO

from pydantic import BaseModel, ValidationError

from registry.schema.model import EDGE_SPECS
from registry.schema.records import ChangeSet, EdgeWrite, NodeUpsert, NodeWrite
from registry.service.declaration import Declaration, DeclarationStream, EdgeDecl, RetireScope
from registry.service.errors import InvalidInput, Issue

RETIRABLE = ("Dataset", "System", "Field")
"""Labels whose keys a retirement scope compares with what the store holds."""
_EDGE_ROW = attrgetter("type", "src.label", "src.key", "dst.label", "dst.key", "props")
"""An edge as the store's row, read in C."""
_EDGE_SHAPE = attrgetter("type", "src.label", "dst.label")
"""What the graph model judges an edge by, properties aside: its type and its ends' labels."""
CHUNK = 100_000
"""Records per chunk handed to the store when a part in memory is larger (a native document)."""


class Spill:
    """Parts set aside between the check and the write, as ``marshal``led tuples in an
    anonymous temporary file (gone when closed), each after its length (``marshal.load``
    from a file reads it a few bytes at a time): reading them back costs a fraction of
    parsing and validating the file again."""

    def __init__(self, file: BinaryIO | None = None) -> None:
        """``file``: where to set the parts aside instead (a pipe to the process that
        writes them, ``registry.service.forked_check``)."""
        if file is None:
            file = tempfile.TemporaryFile(prefix="registry-load-")  # noqa: SIM115 -- closed by close()
        self.file: BinaryIO = file

    def add(self, part: Declaration, nodes: list[NodeUpsert] | None = None) -> None:
        """``nodes``: the part's nodes as rows, when the caller has made them already."""
        if nodes is None:
            nodes = part.node_rows()
        data = marshal.dumps((nodes, list(map(_EDGE_ROW, part.edges))))
        self.file.write(len(data).to_bytes(8, "little"))
        self.file.write(data)

    def changes(self) -> Iterator[ChangeSet]:
        """The parts again, in order, as the store's upserts: the tuples as they were set
        aside (``ChangeSet.node_rows``), no record objects built per entry."""
        self.file.seek(0)
        while size := self.file.read(8):
            nodes, edges = marshal.loads(self.file.read(int.from_bytes(size, "little")))
            yield ChangeSet(node_rows=nodes, edge_rows=edges)

    def close(self) -> None:
        self.file.close()


@dataclass
class Checked:
    """What the first pass found: ``summary`` is the file as the user counts it (issues,
    entries left out, an export's records) without its nodes and edges; ``declared`` the
    keys of the retirable entries the file lists, emptied once the load has judged what the
    file retires (``RegistryService._retirements``), before its write."""

    summary: Declaration
    scopes: list[RetireScope] = field(default_factory=list)
    declared: dict[str, set[str]] = field(default_factory=dict)
    rejected: bool = False
    """Errors were found and are not to be skipped: nothing of the file may be written."""
    spill: Spill | None = None
    """The parts to write, when they were read from a file (a list of parts in memory is
    simply read again)."""

    @property
    def issues(self) -> list[Issue]:
        return self.summary.issues

    def close(self) -> None:
        """Let the set-aside parts go (a temporary file as large as the import)."""
        if self.spill is not None:
            self.spill.close()


@cache
def _empty_props_valid(model: type[BaseModel]) -> bool:
    """Whether an edge type accepts no properties: then the many edges that carry none
    (HAS_FIELD, MEANS, ...) need no validation call each."""
    try:
        model.model_validate({})
    except ValidationError:
        return False
    return True


def check_edges(edges: Sequence[EdgeDecl]) -> None:
    """Each relation is one the graph model has, between the labels it links, with valid
    properties; the first that is not refuses the load.

    A part holds tens of thousands of edges of a handful of shapes (type, source label,
    target label), and most carry no properties: each shape is judged once and only
    edges with properties are validated one by one. Should anything fail, the edges are
    checked again in order, so that the error raised is the first edge's, as ever."""
    shapes = set(map(_EDGE_SHAPE, edges))
    if all(_shape_valid(*shape) for shape in shapes):
        strict = {edge_type for edge_type, _s, _t in shapes if not _empty_props_valid(EDGE_SPECS[edge_type].props)}
        try:
            for edge in [e for e in edges if e.props or e.type in strict]:
                EDGE_SPECS[edge.type].props.model_validate(edge.props)
        except ValidationError:
            pass
        else:
            return
    _check_edges_in_order(edges)


def _shape_valid(edge_type: str, source: str, target: str) -> bool:
    """The graph model has this relation from ``source`` to ``target``."""
    spec = EDGE_SPECS.get(edge_type)
    return spec is not None and source in spec.sources and target in spec.targets


def _check_edges_in_order(edges: Sequence[EdgeDecl]) -> None:
    """Each edge in turn, raising the first bad one's error (the check before shapes were judged once)."""
    for edge in edges:
        spec = EDGE_SPECS.get(edge.type)
        if spec is None:
            raise InvalidInput(f"unknown relation {edge.type!r}")
        if edge.src.label not in spec.sources or edge.dst.label not in spec.targets:
            raise InvalidInput(f"{edge.type} cannot link a {edge.src.label} to a {edge.dst.label}")
        if not edge.props and _empty_props_valid(spec.props):
            continue
        try:
            spec.props.model_validate(edge.props)
        except ValidationError as exc:
            raise InvalidInput(f"{edge.type} from {edge.src}: {exc.errors()[0]['msg']}") from None


def _declare(declared: dict[str, set[str]], rows: Sequence[tuple[str, str] | NodeUpsert]) -> None:
    """Add the retirable keys among ``rows`` (label and key first) to ``declared``: a
    pass over the part per label, each a comprehension, instead of a lookup per node."""
    for label in RETIRABLE:
        keys = [row[1] for row in rows if row[0] == label]
        if keys:
            declared.setdefault(label, set()).update(keys)


def reiterable(stream: DeclarationStream) -> None:
    """A load reads its parts twice; a one-shot iterator would be empty the second time."""
    if iter(stream.parts) is stream.parts:
        raise TypeError("a DeclarationStream's parts must be readable more than once (a list or a re-reading iterable)")


def check(
    stream: DeclarationStream,
    *,
    skip_invalid: bool = False,
    on_part: Callable[[Declaration], None] | None = None,
    spill: Spill | None = None,
) -> Checked:
    """Read every part of ``stream`` once and keep only what the write needs. After the
    first part with errors (unless they are skipped) the rest is read for its issues
    only; ``on_part`` is called with each part that may be written (the service's checks
    of what the caller may write); ``spill``, where a file's parts are set aside (by
    default a temporary file)."""
    reiterable(stream)
    summary = Declaration(source=stream.source, format=stream.format)
    in_memory = isinstance(stream.parts, list | tuple)
    checked = Checked(summary, spill=None if in_memory else spill if spill is not None else Spill())
    for part in stream.parts:
        summary.issues.extend(part.issues)
        summary.left_out += part.left_out
        checked.scopes.extend(part.scopes)
        if part.records is not None:
            summary.records = part.records
        if part.errors and not skip_invalid:
            checked.rejected = True
        if checked.rejected:
            continue
        check_edges(part.edges)
        # with a spill, each node's key and properties are made once, for both uses
        rows = part.node_rows() if checked.spill is not None else None
        _declare(checked.declared, rows if rows is not None else [(n.LABEL, n.key()) for n in part.nodes])
        if on_part is not None:
            on_part(part)
        if checked.spill is not None:
            checked.spill.add(part, rows)
    summary.sha256 = stream.sha256
    return checked


def checked_changes(stream: DeclarationStream, checked: Checked) -> Iterator[ChangeSet]:
    """What ``check`` found writable in ``stream``, part by part, as the store's upserts:
    from the spill, or the parts in memory again."""
    if checked.spill is not None:
        yield from checked.spill.changes()
        return
    for part in stream.parts:
        if len(part.nodes) + len(part.edges) <= CHUNK:
            yield ChangeSet(
                nodes=[NodeWrite(n.LABEL, n.key(), n.props()) for n in part.nodes],
                edges=[EdgeWrite(e.type, e.src, e.dst, e.props) for e in part.edges],
            )
            continue
        # a whole document read at once (the native format): its nodes, then its edges, a
        # chunk at a time, so the store's records of it are never all held together
        for start in range(0, len(part.nodes), CHUNK):
            yield ChangeSet(nodes=[NodeWrite(n.LABEL, n.key(), n.props()) for n in part.nodes[start : start + CHUNK]])
        for start in range(0, len(part.edges), CHUNK):
            edges = part.edges[start : start + CHUNK]
            yield ChangeSet(edges=[EdgeWrite(e.type, e.src, e.dst, e.props) for e in edges])
