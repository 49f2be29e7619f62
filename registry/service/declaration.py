"""What an importer or a mutation hands the service: validated nodes, edges between them,
and the scopes within which absence means retirement."""

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.schema.document import RecordsDoc
from registry.schema.model import NodeModel
from registry.schema.records import NodeRef, NodeUpsert
from registry.service.errors import Issue, rejected_rows


@dataclass(frozen=True, init=False)
class EdgeDecl:
    type: str
    src: NodeRef
    dst: NodeRef
    props: dict[str, Any] = field(default_factory=dict)

    def __init__(self, type: str, src: NodeRef, dst: NodeRef, props: dict[str, Any] | None = None) -> None:
        # the generated frozen __init__ without object.__setattr__ per field (as NodeRef's):
        # an importer makes two of these per 信息项
        attrs = self.__dict__
        attrs["type"] = type
        attrs["src"] = src
        attrs["dst"] = dst
        attrs["props"] = {} if props is None else props


@dataclass(frozen=True)
class RetireScope:
    """ "This declaration is department ``department``'s complete list of ``label``": entries
    of that label linked to the department (PROVIDES for datasets, OPERATES for systems)
    that the declaration does not mention are retired, and so are the fields of a declared
    dataset that it no longer lists."""

    department: str
    label: str = "Dataset"


@dataclass
class Declaration:
    source: str
    format: str
    sha256: str | None = None
    nodes: list[NodeModel] = field(default_factory=list)
    edges: list[EdgeDecl] = field(default_factory=list)
    scopes: list[RetireScope] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    records: RecordsDoc | None = None
    """An export's records section (the store verbatim), validated with the rest of the
    file: restored instead of imported when the target store is empty."""
    left_out: int = 0
    """Entries an importer left out because of their errors, when it counts them: a
    catalogue drops a resource whose own cells are bad with all of its rows, and otherwise
    only the 信息项 whose row is bad."""
    upserts: list[NodeUpsert] | None = None
    """``nodes`` as the store's upserts (label, key, properties), one for one and in the
    same order, when the importer made them as it built the nodes (the catalogue holds
    each 信息项's key and properties at hand): the checking pass sets these aside instead
    of asking every node for its key and properties again. Kept in step by ``add`` and by
    appending to the list ``kept_upserts`` gives with each node; a node appended to
    ``nodes`` alone puts them out of step, and they are then not used (``node_rows``
    compares the lengths). A node replaced in place would not be noticed: nothing does
    that."""

    def _in_step(self) -> list[NodeUpsert] | None:
        """``upserts`` while they are as many as ``nodes``."""
        upserts = self.upserts
        return upserts if upserts is not None and len(upserts) == len(self.nodes) else None

    def node_rows(self) -> list[NodeUpsert]:
        """The nodes as the store's upserts: ``upserts`` when they are in step, else each
        node's label, key and properties."""
        upserts = self._in_step()
        if upserts is not None:
            return upserts
        return [(n.LABEL, n.key(), n.props()) for n in self.nodes]

    def kept_upserts(self) -> list[NodeUpsert]:
        """``upserts``, made from the nodes first if they are not in step: the list an
        importer appends each node's upsert to as it appends the node."""
        upserts = self._in_step()
        if upserts is None:
            upserts = self.upserts = self.node_rows()
        return upserts

    def add(self, node: NodeModel) -> None:
        """A node with its upsert."""
        self.kept_upserts().append((node.LABEL, node.key(), node.props()))
        self.nodes.append(node)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def rejected(self) -> int:
        """What was refused, as the user counts it: the entries left out when the importer
        knows them, else the rows with errors (one bad row can drop a whole resource, so
        rows alone undercount what was not loaded)."""
        return self.left_out or rejected_rows(self.errors)

    def extend(self, other: "Declaration") -> None:
        mine, theirs = self._in_step(), other._in_step()
        if mine is not None and theirs is not None:
            mine.extend(theirs)
        else:
            self.upserts = None
        self.nodes.extend(other.nodes)
        self.edges.extend(other.edges)
        self.scopes.extend(other.scopes)
        self.issues.extend(other.issues)
        self.left_out += other.left_out

    def stream(self) -> "DeclarationStream":
        """This declaration as a stream of one part."""
        return DeclarationStream(self.source, self.format, [self], self.sha256)


@dataclass
class DeclarationStream:
    """A file read part by part, so that loading it holds one part at a time.

    Each part is a ``Declaration`` of nodes and edges (an edge's ends are declared in its
    own part or an earlier one, or already stored), with the issues and retirement scopes
    found while reading it. ``sha256`` may be filled in by the reader only once every part
    has been read, which is when the service needs it for the batch record."""

    source: str
    format: str
    parts: Iterable[Declaration]
    """Read once to check the file and again to write it (``registry.service.checking``):
    a list, or an iterable that reads the file afresh each time."""
    sha256: str | None = None

    @classmethod
    def joined(cls, streams: Sequence["DeclarationStream"]) -> "DeclarationStream":
        """The parts of several files in turn, as one load (a dry run of files on top of
        each other): named after the last."""
        return cls(streams[-1].source, streams[-1].format, _Joined(streams))


class _Joined:
    def __init__(self, streams: Sequence[DeclarationStream]) -> None:
        self.streams = streams

    def __iter__(self) -> Iterator[Declaration]:
        return itertools.chain.from_iterable(stream.parts for stream in self.streams)
