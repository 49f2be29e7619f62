"""The graph's vocabulary: references, records, history entries and write sets shared by every layer.

It sits beside the schema, below both the store and the service, so that importing it says
nothing about talking to a store."""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Props = dict[str, Any]
Direction = Literal["out", "in", "both"]


Key = tuple[str, str]
"""A node as (label, key) where many are handled at once: a tuple hashes and compares in
C, where a ``NodeRef`` (a dataclass) runs a Python ``__hash__`` for every dict or set it
meets, millions of times over a province's closure of clearance levels."""


def keys_by_label(keys: Collection[Key]) -> dict[str, list[str]]:
    """Keys grouped by label, as the embedded store's batched reads take them; a single
    label (the common case: one label asked at a time) is one comprehension."""
    labels = {label for label, _key in keys}
    if len(labels) == 1:
        return {labels.pop(): [key for _label, key in keys]}
    grouped: dict[str, list[str]] = {}
    for label, key in keys:
        members = grouped.get(label)
        if members is None:
            grouped[label] = [key]
        else:
            members.append(key)
    return grouped


@dataclass(frozen=True, order=True, init=False)
class NodeRef:
    label: str
    key: str

    def __init__(self, label: str, key: str) -> None:
        # what the generated frozen __init__ does, without a call to object.__setattr__
        # per field: about 40% less to make, and an import makes millions
        attrs = self.__dict__
        attrs["label"] = label
        attrs["key"] = key

    def __str__(self) -> str:
        return f"{self.label}:{self.key}"


@dataclass(frozen=True, order=True)
class EdgeRef:
    type: str
    src: NodeRef
    dst: NodeRef

    def __str__(self) -> str:
        return f"({self.src})-[:{self.type}]->({self.dst})"


@dataclass(frozen=True)
class Provenance:
    """Who wrote, from where, in which batch, when (ISO 8601 UTC)."""

    source: str
    batch: str
    by: str
    at: str

    def as_dict(self) -> Props:
        return {"source": self.source, "batch": self.batch, "by": self.by, "at": self.at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Provenance":
        return cls(source=data["source"], batch=data["batch"], by=data["by"], at=data["at"])


@dataclass(frozen=True)
class NodeRecord:
    label: str
    key: str
    props: Props
    created: Provenance
    updated: Provenance
    retired: bool = False

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.label, self.key)


@dataclass(frozen=True)
class EdgeRecord:
    type: str
    src: NodeRef
    dst: NodeRef
    props: Props
    created: Provenance
    updated: Provenance
    retired: bool = False

    @property
    def ref(self) -> EdgeRef:
        return EdgeRef(self.type, self.src, self.dst)


@dataclass(frozen=True)
class HistoryEntry:
    """One change: ``changes`` maps each property to [old, new] (None where absent)."""

    seq: int
    subject: str
    op: Literal["create", "update", "retire", "revive"]
    changes: Props
    prov: Provenance
    node: NodeRef | None = None
    edge: EdgeRef | None = None


@dataclass
class NodeWrite:
    label: str
    key: str
    props: Props


@dataclass
class EdgeWrite:
    type: str
    src: NodeRef
    dst: NodeRef
    props: Props = field(default_factory=dict)

    @property
    def ref(self) -> EdgeRef:
        return EdgeRef(self.type, self.src, self.dst)


NodeUpsert = tuple[str, str, Props]
"""A node upsert as a plain tuple: (label, key, properties)."""
EdgeUpsert = tuple[str, str, str, str, str, Props]
"""An edge upsert as a plain tuple: (type, source label, source key, target label, target key, properties)."""


@dataclass
class ChangeSet:
    """Everything one logical write does; a store applies it all or nothing."""

    nodes: list[NodeWrite] = field(default_factory=list)
    edges: list[EdgeWrite] = field(default_factory=list)
    node_rows: list[NodeUpsert] = field(default_factory=list)
    """More node upserts, as tuples, applied exactly as ``nodes`` are (after them): a
    load's parts read back from where they were set aside arrive as tuples, and building
    a ``NodeWrite`` and two ``NodeRef``s per entry, only for the store to take them apart
    again, was a sixth of writing a province's file."""
    edge_rows: list[EdgeUpsert] = field(default_factory=list)
    """More edge upserts, as tuples, applied exactly as ``edges`` are (after them)."""
    retire_nodes: list[NodeRef] = field(default_factory=list)
    retire_edges: list[EdgeRef] = field(default_factory=list)
    record: NodeWrite | None = None
    """The write's own provenance node (an ImportBatch): written, with the outcome counts
    in its ``counts`` property, only if something else changed, so that re-importing an
    unchanged file leaves the store exactly as it was."""

    def __len__(self) -> int:
        return (
            len(self.nodes)
            + len(self.edges)
            + len(self.node_rows)
            + len(self.edge_rows)
            + len(self.retire_nodes)
            + len(self.retire_edges)
        )

    def node_writes(self) -> list[NodeWrite]:
        """``nodes`` and ``node_rows`` together, as writes (for a store that takes objects)."""
        if not self.node_rows:
            return self.nodes
        return self.nodes + [NodeWrite(label, key, props) for label, key, props in self.node_rows]

    def edge_writes(self) -> list[EdgeWrite]:
        """``edges`` and ``edge_rows`` together, as writes."""
        if not self.edge_rows:
            return self.edges
        rows = self.edge_rows
        return self.edges + [EdgeWrite(t, NodeRef(sl, sk), NodeRef(dl, dk), p) for t, sl, sk, dl, dk, p in rows]


LEVELS = "levels"
"""Where a projection carries the clearance each node needs (``graph.graph[LEVELS]``,
NodeRef -> level): the service computes them by its visibility rule and hands them out
with every projection, so an analysis that asks about classification reads them as data."""

OUTCOMES = ("created", "updated", "unchanged", "retired")


@dataclass
class ApplyResult:
    """Outcome counts per label or edge type, the store version after the write, and the
    written nodes that were stored before it."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    version: int = 0
    dry_run: bool = False
    existed: set[Key] = field(default_factory=set)
    """The nodes the write upserted that the store held before it began, live or retired:
    every other node it upserted is new, which tells the service whose clearance level
    can have moved (``registry.service.levels.seeding``). Empty for a load into an empty
    store, however many nodes it writes."""
    linked: set[Key] = field(default_factory=set)
    """The ends of the write's edges that it did not upsert in the same chunk and that the
    store held live before the write began: with ``existed``, every stored node a write
    reaches, found by the check each edge's ends get anyway, so that the service need not
    remember every key a national load wrote to tell them from the load's own nodes."""

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.total(o) for o in ("created", "updated", "retired"))

    def totals(self) -> dict[str, int]:
        return {outcome: self.total(outcome) for outcome in OUTCOMES}

    def merge(self, other: "ApplyResult") -> None:
        for kind, counter in other.counts.items():
            self.counts.setdefault(kind, Counter()).update(counter)
        self.version = max(self.version, other.version)
        self.existed |= other.existed
        self.linked |= other.linked
