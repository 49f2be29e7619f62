"""The compact projection: a registry's datasets as arrays, streamed from the caller's rows.

A networkx projection costs about 1.5 KB per field (node, attribute dict, adjacency
entries); at national scale (1M datasets, 20M fields) that is over 24 GB. This builds the
dataset x token matrix that duplicate detection runs on (``ItemMatrix``) and the
element -> providers index that the need gaps ask about, straight from the store's
streams: no Python object per field survives, only one small integer per field in a
numpy array and one entry per distinct field name.

Visibility stays the service's: it is handed the caller's rows (``service.rows(caller)``),
which hold nothing the caller may not see, as ``service.graph`` does not; this module
neither knows the store nor decides what is hidden.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse

from registry.analysis.gaps import SHAREABLE, Gap
from registry.analysis.holdings import item_matrix_with
from registry.analysis.matrix import ItemMatrix
from registry.schema.enums import ShareType
from registry.schema.records import NodeRef
from registry.schema.rows import GraphRows, edge_ends


@dataclass(frozen=True)
class NeedRow:
    id: str
    requester: str | None
    target: NodeRef | None
    """The first FOR target in NodeRef order, as the graph analysis takes it."""


@dataclass
class CompactRegistry:
    """Datasets as rows (``matrix`` for duplicates, ``providers`` for need gaps), with the
    few dataset attributes and relations the sharing gaps ask about."""

    matrix: ItemMatrix
    share_types: list[str | None]
    conditions: list[str | None]
    secrecy: list[str]
    shared: np.ndarray
    """True where the dataset is SHARED_WITH someone."""
    needs: list[NeedRow]

    def providers(self, element: str) -> list[str]:
        """Datasets holding a field that means data element ``element`` (by code)."""
        return [self.matrix.keys[i] for i in self.provider_rows(element)]

    def provider_rows(self, element: str) -> np.ndarray:
        """Row numbers of those datasets: a slice of the column-major matrix, no copy."""
        column = self._columns.get(f"E:{element}")
        if column is None:
            return np.zeros(0, dtype=np.int32)
        by_token = self._by_token
        return by_token.indices[by_token.indptr[column] : by_token.indptr[column + 1]]

    @cached_property
    def _columns(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.matrix.token_keys)}

    @cached_property
    def _by_token(self) -> sparse.csc_matrix:
        return self.matrix.holdings.tocsc()


def compact_registry(source: GraphRows) -> CompactRegistry:
    """Datasets, their fields and their organisations out of the caller's rows into arrays.

    The matrix is the one duplicate detection reads through the service
    (``holdings.item_matrix``): the same tokens and organisations ``ItemMatrix.from_graph``
    gives, a field never held as an object. The gap attributes are read beside it, in
    the matrix's row order."""
    matrix, props = item_matrix_with(source, "Dataset", ("share_type", "share_condition", "secrecy_level"))
    row_of = {key: i for i, key in enumerate(matrix.keys)}
    elements = {node.key for node in source.iter_nodes(["DataElement"])}
    shared = np.zeros(len(row_of), dtype=bool)
    for _type, _sl, dataset, _dl, _dst in edge_ends(source, ["SHARED_WITH"]):
        row = row_of.get(dataset)
        if row is not None:
            shared[row] = True
    return CompactRegistry(
        matrix,
        share_types=[share for share, _, _ in props],
        conditions=[condition for _, condition, _ in props],
        secrecy=[secrecy or "none" for _, _, secrecy in props],
        shared=shared,
        needs=_needs(source, set(row_of), elements),
    )


def _needs(rows: GraphRows, datasets: set[str], elements: set[str]) -> list[NeedRow]:
    visible = {"Dataset": datasets, "DataElement": elements}
    requester: dict[str, list[NodeRef]] = {}
    targets: dict[str, list[NodeRef]] = {}
    for edge in rows.iter_edges(["NEEDS", "FOR"]):
        if edge.type == "NEEDS":
            requester.setdefault(edge.dst.key, []).append(edge.src)
        elif edge.type == "FOR" and edge.src.label == "Need" and edge.dst.key in visible.get(edge.dst.label, ()):
            targets.setdefault(edge.src.key, []).append(edge.dst)
    return [
        NeedRow(
            n.key,
            str(min(requester[n.key])) if n.key in requester else None,
            min(targets[n.key]) if n.key in targets else None,
        )
        for n in rows.iter_nodes(["Need"])
    ]


def compact_gaps(registry: CompactRegistry) -> list[Gap]:
    """The sharing gaps that need no clearance levels or field attributes, decided as
    ``gaps.sharing_gaps`` decides them but over arrays: unmet and blocked needs, unused
    shareable datasets, conditional shares without a condition. (Boundary needs need the
    intranet-only levels, SHR-1 the fields' own attributes: both stay on the graph path.)"""
    matrix = registry.matrix
    row_of = {key: i for i, key in enumerate(matrix.keys)}
    shareable = np.array(
        [t in SHAREABLE and s == "none" for t, s in zip(registry.share_types, registry.secrecy, strict=True)],
        dtype=bool,
    )
    used = np.zeros(len(matrix), dtype=bool)
    any_shareable: dict[str, bool] = {}
    """per element: a national registry has thousands of needs for the same ubiquitous
    element, each with hundreds of thousands of providers"""
    found: list[Gap] = []
    for need in registry.needs:
        if need.target is None:
            continue
        key = need.target.key
        if need.target.label == "Dataset":
            providers = np.array([row_of[key]])
            used[providers] = True
            open_ = bool(shareable[providers].any())
        else:
            providers = registry.provider_rows(key)
            if key not in any_shareable:
                any_shareable[key] = bool(shareable[providers].any())
            open_ = any_shareable[key]
        base = {"requester": need.requester, "target": str(need.target), "providers": len(providers)}
        if not len(providers):
            found.append(_gap("unmet_need", "Need", need.id, f"need for {need.target}: no dataset provides it", base))
        elif not open_:
            found.append(
                _gap("blocked_need", "Need", need.id, f"need for {need.target}: every provider is not shared", base)
            )
    for i in np.flatnonzero(shareable & ~registry.shared & ~used):
        found.append(
            _gap("unused_dataset", "Dataset", matrix.keys[i], "shareable but nobody uses it", {}, matrix, int(i))
        )
    for row, (share, condition) in enumerate(zip(registry.share_types, registry.conditions, strict=True)):
        if share == ShareType.CONDITIONAL and not (condition or "").strip():
            found.append(
                _gap(
                    "conditional_without_condition",
                    "Dataset",
                    matrix.keys[row],
                    "conditional without a condition",
                    {},
                    matrix,
                    row,
                )
            )
    return found


def _gap(
    kind: str,
    label: str,
    subject: str,
    message: str,
    evidence: dict[str, Any],
    matrix: ItemMatrix | None = None,
    row: int | None = None,
) -> Gap:
    department = None
    name = None
    if matrix is not None and row is not None and matrix.departments[row] >= 0:
        department = matrix.department_keys[matrix.departments[row]]
        name = matrix.department_names[matrix.departments[row]]
    return Gap(kind, None, message, subject, label, department, name, evidence)
