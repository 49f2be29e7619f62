"""What an export writes: the live graph a caller may see, whole or one department's part.

Exports never read the store: they are handed the caller's rows by the service
(``RegistryService.rows``), which leaves out what the caller may not see, and stream them
(``iter_nodes``, ``iter_edges``) so that a national registry is written without being held
in memory. A department's part is what it owns (itself, the systems it operates, the
datasets it provides, the projects it leads, needs it declares, and their fields and
interfaces) plus the entries those link to (a dataset shared with another department,
the data elements its fields mean), so no exported edge points outside the file. Finding
that part reads the edges a few times; only the part's references are held.

Import batches are provenance records, not registry entries: no graph export writes them.
"""

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Protocol

from registry.schema.records import EdgeRecord, NodeRecord, NodeRef

PROVENANCE_LABELS = frozenset({"ImportBatch"})

_OWNED_FROM_DEPARTMENT = {"OPERATES": "out", "PROVIDES": "out", "NEEDS": "out", "LED_BY": "in"}
_OWNED_FROM_ENTRIES = {"HAS_FIELD": "out", "EXPOSED_VIA": "out", "NEEDS": "out"}


class Rows(Protocol):
    """The caller's rows as the service hands them out (a store satisfies it too)."""

    def iter_nodes(
        self, labels: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[NodeRecord]: ...

    def iter_edges(
        self, types: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[EdgeRecord]: ...


@dataclass
class Selection:
    rows: Rows
    department: str | None = None
    """A department's 统一社会信用代码: export its part only."""

    def __post_init__(self) -> None:
        self._scope: frozenset[NodeRef] | None = None

    def scope(self) -> frozenset[NodeRef] | None:
        """The references in the department's part; None for the whole registry."""
        if self.department is None:
            return None
        if self._scope is None:
            self._scope = frozenset(self._department_part(NodeRef("Department", self.department)))
        return self._scope

    def _department_part(self, department: NodeRef) -> set[NodeRef]:
        owned = {department}
        owned |= self._linked(owned, _OWNED_FROM_DEPARTMENT)
        owned |= self._linked(owned, _OWNED_FROM_ENTRIES)
        part = set(owned)
        for edge in self.rows.iter_edges():
            if edge.src in owned:
                part.add(edge.dst)
            elif edge.dst in owned:
                part.add(edge.src)
        return part

    def _linked(self, anchors: set[NodeRef], types: dict[str, str]) -> set[NodeRef]:
        found: set[NodeRef] = set()
        for edge in self.rows.iter_edges(list(types)):
            direction = types.get(edge.type)
            if direction == "out" and edge.src in anchors:
                found.add(edge.dst)
            elif direction == "in" and edge.dst in anchors:
                found.add(edge.src)
        return found

    def nodes(self, labels: Collection[str] | None = None) -> Iterator[NodeRecord]:
        scope = self.scope()
        for node in self.rows.iter_nodes(labels):
            if node.label in PROVENANCE_LABELS or node.retired:
                continue
            if scope is None or node.ref in scope:
                yield node

    def edges(self, types: Collection[str] | None = None) -> Iterator[EdgeRecord]:
        scope = self.scope()
        for edge in self.rows.iter_edges(types):
            if edge.retired:
                continue
            if scope is None or (edge.src in scope and edge.dst in scope):
                yield edge


def node_id(ref: NodeRef) -> str:
    """One identifier space for every kind: keys are unique per label only."""
    return f"{ref.label}:{ref.key}"
