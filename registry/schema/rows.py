"""The registry read row by row: what an export or the compact projection is handed.

Readers of the whole registry (``registry.importers.export``, ``registry.analysis.compact``)
take a ``GraphRows``. The service hands out one holding only what its caller may see
(``RegistryService.rows``), so such a reader never decides visibility and never touches
the store. A store satisfies the protocol too, which is how benchmarks and tools below
the service use the same readers.
"""

from collections.abc import Collection, Iterator
from typing import Protocol

from registry.schema.model import NAME_PROPERTY
from registry.schema.records import EdgeRecord, HistoryEntry, NodeRecord

EdgeEnds = tuple[str, str, str, str, str]
"""(type, source label, source key, target label, target key) of one live edge."""


class GraphRows(Protocol):
    def iter_nodes(
        self, labels: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[NodeRecord]: ...

    def iter_edges(
        self, types: Collection[str] | None = None, *, include_retired: bool = False
    ) -> Iterator[EdgeRecord]: ...

    def iter_history(self) -> Iterator[HistoryEntry]: ...


def edge_ends(rows: GraphRows, types: Collection[str]) -> Iterator[EdgeEnds]:
    """The live edges of ``types`` as bare ends: the rows' raw stream where they have one
    (the embedded store skips decoding properties: five times faster over millions of
    fields), else built from their records."""
    raw = getattr(rows, "iter_edge_ends", None)
    if raw is not None:
        yield from raw(types)
        return
    for edge in rows.iter_edges(types):
        yield edge.type, edge.src.label, edge.src.key, edge.dst.label, edge.dst.key


def node_names(rows: GraphRows, label: str) -> Iterator[tuple[str, str | None]]:
    """(key, name) of the live nodes of ``label``, the name being the label's name
    property (``NAME_PROPERTY``, as text): the rows' raw stream where they have one (the
    embedded store reads its name column and decodes no properties: six times faster
    over millions of fields), else read from their records."""
    raw = getattr(rows, "iter_node_names", None)
    if raw is not None:
        yield from raw(label)
        return
    name = NAME_PROPERTY.get(label, "name")
    for node in rows.iter_nodes([label]):
        value = node.props.get(name)
        yield node.key, None if value is None else str(value)


LinkedGroup = tuple[str, str, list[str], list[str]]
"""(source label, source key, target keys, target names) of one source's live edges of a
type into live nodes of a label, in edge order; a target without a name is named by its key."""


def linked_groups(rows: GraphRows, edge_type: str, label: str) -> Iterator[LinkedGroup]:
    """The live ``edge_type`` edges into live nodes of ``label``, grouped by source in
    edge order, each target with its name: the rows' raw grouped stream where they have
    one (the embedded store joins and groups in SQL, so two million fields reach Python
    as one hundred thousand rows), else ``edge_ends`` joined with ``node_names``. A
    source's edges may come in more than one group where the rows do not give them in
    key order."""
    raw = getattr(rows, "iter_linked_groups", None)
    if raw is not None:
        yield from raw(edge_type, label)
        return
    names = dict(node_names(rows, label))
    group: LinkedGroup | None = None
    for _type, source_label, source, target_label, target in edge_ends(rows, [edge_type]):
        if target_label != label or target not in names:
            continue
        if group is None or (group[0], group[1]) != (source_label, source):
            if group is not None:
                yield group
            group = (source_label, source, [], [])
        name = names[target]
        group[2].append(target)
        group[3].append(target if name is None else name)
    if group is not None:
        yield group
