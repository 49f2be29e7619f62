"""What each system or dataset holds, read from a caller's rows into an ``ItemMatrix``.

This is the service path of duplicate detection: ``registry duplicates``, the GraphQL
queries and the findings pages hand it ``service.rows(caller)``, which hold nothing the
caller may not see, so nothing hidden can enter the matrix, its scores or its evidence.
It builds the matrix ``ItemMatrix.from_graph`` builds from the caller's projection, the
same rows in the same order with the same field names, tokens and columns, without the
networkx graph: at 100k datasets the projection alone took 71 s and 4 GB, and reading
the matrix out of it cost more than detection itself.

Columns follow the order in which ``from_graph`` meets field names: items in key order,
each item's fields in the order the rows give them (a dataset's HAS_FIELD edges, a
system's datasets by its HOLDS edges), which is the order the projection's adjacency
keeps. Candidate generation breaks ties between equally rare tokens by column, so the
order is part of the result, not a detail.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from operator import itemgetter
from typing import Any

import numpy as np

from registry.analysis.fieldnames import FieldName, FieldNormaliser
from registry.analysis.matrix import ItemMatrix
from registry.collector import gc_paused
from registry.schema.records import NodeRecord
from registry.schema.rows import EdgeEnds, GraphRows, LinkedGroup, edge_ends, linked_groups

KINDS = ("Dataset", "System")
TEXT_PROPERTY = {"Dataset": "abstract", "System": "description"}


def normaliser_of(rows: GraphRows) -> FieldNormaliser:
    """The standard synonyms plus the data elements these rows declare
    (``matrix.normaliser_for`` over rows)."""
    return _elements(rows)[0]


def _elements(rows: GraphRows) -> tuple[FieldNormaliser, set[str]]:
    normaliser = FieldNormaliser.standard()
    keys: set[str] = set()
    for node in _by_key(rows.iter_nodes(["DataElement"])):
        normaliser.add_element(node.key, node.props.get("name", node.key), node.props.get("synonyms") or [])
        keys.add(node.key)
    return normaliser, keys


def _by_key(nodes: Iterable[NodeRecord]) -> list[NodeRecord]:
    return sorted(nodes, key=lambda n: n.key)


def item_matrix(rows: GraphRows, kind: str = "Dataset", normaliser: FieldNormaliser | None = None) -> ItemMatrix:
    """Rows for every Dataset (its fields) or System (the fields of what it holds), as
    ``ItemMatrix.from_graph`` gives them for the projection of the same rows. A field is
    never held as an object: one small integer per field in a numpy array, and one
    entry per distinct (name, data element)."""
    return item_matrix_with(rows, kind, (), normaliser)[0]


def item_matrix_with(
    rows: GraphRows, kind: str, properties: Sequence[str], normaliser: FieldNormaliser | None = None
) -> tuple[ItemMatrix, list[tuple[Any, ...]]]:
    """``item_matrix``, and per row of it the values of ``properties`` of that item, taken
    from the one read of the items' records: the compact projection's gap attributes.
    Reading the datasets again for them decoded every dataset's properties twice, and
    the records are dropped before the fields are read (a record with its properties
    is about 2 KB: 2 GB held through the fields' read at 1M datasets). The cyclic
    collector is paused: the read allocates millions of acyclic strings and names, and
    each collection it triggered rescanned all of them."""
    if kind not in KINDS:
        raise ValueError(f"duplicate detection compares systems or datasets, not {kind!r}")
    with gc_paused():
        return _item_matrix(rows, kind, properties, normaliser)


@dataclass
class _Items:
    """What the matrix keeps of each item's record, in key order."""

    keys: list[str]
    names: list[str]
    texts: list[str]
    functions: list[str]
    values: list[tuple[Any, ...]]


def _items(nodes: Iterable[NodeRecord], kind: str, properties: Sequence[str]) -> _Items:
    """Each record's few values taken as it is read, then sorted by key: the records
    themselves (every property decoded, two provenances) are never all held at once."""
    text = TEXT_PROPERTY[kind]
    read = sorted(
        (
            (
                node.key,
                node.props.get("name", node.key),
                node.props.get(text) or "",
                " ".join(node.props.get("functions") or []),
                tuple(node.props.get(name) for name in properties),
            )
            for node in nodes
        ),
        key=itemgetter(0),
    )
    return _Items(*(list(column) for column in zip(*read, strict=True))) if read else _Items([], [], [], [], [])


def _item_matrix(
    rows: GraphRows, kind: str, properties: Sequence[str], normaliser: FieldNormaliser | None
) -> tuple[ItemMatrix, list[tuple[Any, ...]]]:
    # the fields are asked for first, and the organisations read before they are taken:
    # a store that joins them in a process of its own (the embedded one, for a large
    # file) then joins while the rest is read here (the administrator's projection at
    # 1M datasets: 267 -> 145 s, ``bench/README.md``)
    groups = linked_groups(rows, "HAS_FIELD", "Field")
    first_group = next(groups, None)
    read_elements = _elements(rows)
    normaliser = normaliser or read_elements[0]
    elements = read_elements[1]
    means: dict[str, str] = {}
    """field key -> the least data element it MEANS, as ``graphs.first`` picks it"""
    for _type, _sl, field, label, element in edge_ends(rows, ["MEANS"]):
        if label == "DataElement" and element in elements and (field not in means or element < means[field]):
            means[field] = element
    datasets = _items(rows.iter_nodes(["Dataset"]), "Dataset", properties if kind == "Dataset" else ())
    dataset_row = {key: i for i, key in enumerate(datasets.keys)}
    systems = _by_key(rows.iter_nodes(["System"]))
    organisations = _Organisations(rows, systems, dataset_row)
    owners, pairs, read_names = _has_field(
        chain([first_group], groups) if first_group is not None else groups, dataset_row, means, normaliser
    )
    del means
    # each dataset's fields in the rows' order (a stable sort keeps it)
    dataset_pairs = pairs[np.argsort(owners, kind="stable")]
    dataset_indptr = np.concatenate([[0], np.cumsum(np.bincount(owners, minlength=len(dataset_row)))]).astype(np.int64)
    del owners, pairs
    if kind == "Dataset":
        items, sequence, indptr = datasets, dataset_pairs, dataset_indptr
        departments = [organisations.dataset_department(i) for i in range(len(dataset_row))]
        projects = [organisations.dataset_project(i) for i in range(len(dataset_row))]
    else:
        items = _items(systems, kind, properties)
        sequence, indptr = _held(organisations.holds, len(systems), dataset_pairs, dataset_indptr)
        departments = [organisations.system_department(i) for i in range(len(systems))]
        projects = [organisations.system_project(i) for i in range(len(systems))]

    # columns in the order the projection meets each (name, element) first
    met, first = np.unique(sequence, return_index=True)
    met = met[np.argsort(first, kind="stable")]
    column = np.zeros(len(read_names), dtype=np.int64)
    column[met] = np.arange(len(met))
    field_names = [read_names[i] for i in met.tolist()]

    matrix = ItemMatrix.assemble(
        kind,
        keys=items.keys,
        names=items.names,
        texts=items.texts,
        functions=items.functions,
        departments=departments,
        department_names=organisations.department_names(),
        projects=projects,
        indptr=indptr,
        field_ids=column[sequence],
        field_names=field_names,
        element_names=normaliser.element_names,
    )
    return matrix, items.values


CHUNK = 250_000
"""HAS_FIELD rows gathered in Python lists before they move into numpy (a list of 20M
ints costs about 0.7 GB, an array 160 MB) and their new names are read: a quarter of
the million it was, so that the reading comes in steps the store's reader, running
ahead, never waits long for."""


def _has_field(
    groups: Iterable[LinkedGroup], dataset_row: dict[str, int], means: dict[str, str], normaliser: FieldNormaliser
) -> tuple[np.ndarray, np.ndarray, list[FieldName]]:
    """Each visible HAS_FIELD edge as (dataset row, field id), in the rows' order, and
    each id's field name, read by ``normaliser``: one id per distinct (name, element),
    the name alone where the field means no element. A dataset's fields arrive together
    with their names (``linked_groups``); ids are given a chunk of fields at a time, by
    C-level maps rather than a Python step per field (one lookup per field: a missing
    name is given the next id as it is met, so ids follow first appearance). The names
    new in a chunk are read with it, while the store reads on (in a process of its own,
    for a large file): read after the whole stream, they were a quarter of the compact
    projection's time spent with the store idle."""
    ids: defaultdict[str | tuple[str, str], int] = defaultdict()
    ids.default_factory = ids.__len__  # a name met first takes the next id, in one C-level lookup
    owner_parts, pair_parts = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    owners: list[int] = []
    sizes: list[int] = []
    held: list[str | tuple[str, str]] = []
    read: list[FieldName] = []

    def flush() -> None:
        owner_parts.append(np.repeat(np.asarray(owners, dtype=np.int64), np.asarray(sizes, dtype=np.int64)))
        pair_parts.append(np.fromiter(map(ids.__getitem__, held), dtype=np.int64, count=len(held)))
        new = list(islice(reversed(ids), len(ids) - len(read)))  # the ids given since, last first
        read.extend(
            normaliser.read(name) if isinstance(name, str) else normaliser.element(name[1], name[0])
            for name in reversed(new)
        )
        owners.clear()
        sizes.clear()
        held.clear()

    for _sl, dataset, keys, names in groups:
        row = dataset_row.get(dataset)
        if row is None:
            continue
        owners.append(row)
        sizes.append(len(names))
        if means and not means.keys().isdisjoint(keys):
            held.extend(
                name if (meant := means.get(key)) is None else (name, meant)
                for key, name in zip(keys, names, strict=True)
            )
        else:
            held.extend(names)
        if len(held) >= CHUNK:
            flush()
    flush()
    return np.concatenate(owner_parts), np.concatenate(pair_parts), read


def _held(
    holds: list[list[int]], systems: int, dataset_pairs: np.ndarray, dataset_indptr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each system's fields: those of the datasets it holds, in the order it holds them."""
    held = np.fromiter((d for ds in holds for d in ds), dtype=np.int64)
    per_system = np.fromiter((len(ds) for ds in holds), dtype=np.int64, count=systems)
    lengths = dataset_indptr[held + 1] - dataset_indptr[held]
    starts = np.repeat(dataset_indptr[held] - (np.cumsum(lengths) - lengths), lengths)
    sequence = dataset_pairs[starts + np.arange(int(lengths.sum()), dtype=np.int64)]
    system_of = np.repeat(np.arange(systems, dtype=np.int64), per_system)
    counts = np.bincount(system_of, weights=lengths, minlength=systems).astype(np.int64)
    return sequence, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _each_type(rows: GraphRows, types: Sequence[str]) -> Iterator[EdgeEnds]:
    """The live edges of ``types``, one type after another, each type's in key order:
    what ``_Organisations`` needs (it keeps the least end of each kind, and a system's
    HOLDS in key order), asked of the rows a type at a time: the embedded store reads
    one type from its type index in key order, and several together only after a sort
    of them all."""
    for edge_type in types:
        yield from edge_ends(rows, [edge_type])


class _Organisations:
    """Who runs each system and dataset and which project built it, decided as
    ``graphs.department_of`` and ``graphs.project_of`` decide them: the least provider
    or operator, else through the least holding system that has one."""

    def __init__(self, rows: GraphRows, systems: list[NodeRecord], dataset_row: dict[str, int]) -> None:
        system_row = {node.key: i for i, node in enumerate(systems)}
        self.holds: list[list[int]] = [[] for _ in system_row]
        holders: list[list[int]] = [[] for _ in dataset_row]
        provider: dict[int, str] = {}
        operator: dict[int, str] = {}
        builder: dict[int, str] = {}
        departments = {n.key: n for n in rows.iter_nodes(["Department"])}
        self._departments = departments
        projects = {n.key for n in rows.iter_nodes(["Project"])}
        for edge_type, _sl, src, _dl, dst in _each_type(rows, ("PROVIDES", "HOLDS", "OPERATES", "BUILDS")):
            if edge_type == "HOLDS":
                system, dataset = system_row.get(src), dataset_row.get(dst)
                if system is not None and dataset is not None:
                    self.holds[system].append(dataset)
                    holders[dataset].append(system)
                continue
            into, known, rows_of = {
                "PROVIDES": (provider, departments, dataset_row),
                "OPERATES": (operator, departments, system_row),
                "BUILDS": (builder, projects, system_row),
            }[edge_type]
            row = rows_of.get(dst)
            if row is not None and src in known and (row not in into or src < into[row]):
                into[row] = src
        self.holders = [sorted(h) for h in holders]
        self.provider, self.operator, self.builder = provider, operator, builder
        self._system_projects: list[str | None] = [
            builder[i] if i in builder else node.props.get("project") for i, node in enumerate(systems)
        ]

    def system_department(self, system: int) -> str | None:
        return self.operator.get(system)

    def system_project(self, system: int) -> str | None:
        return self._system_projects[system]

    def dataset_department(self, dataset: int) -> str | None:
        found = self.provider.get(dataset)
        if found is not None:
            return found
        return next((d for d in map(self.operator.get, self.holders[dataset]) if d is not None), None)

    def dataset_project(self, dataset: int) -> str | None:
        return next((p for p in map(self.system_project, self.holders[dataset]) if p), None)

    def department_names(self) -> dict[str, str]:
        return {
            key: node.props.get("name") or node.props.get("purpose") or key for key, node in self._departments.items()
        }
