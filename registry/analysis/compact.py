"""The compact projection: a registry's datasets as arrays, streamed from any store.

A networkx projection costs about 1.5 KB per field (node, attribute dict, adjacency
entries); at national scale (1M datasets, 20M fields) that is over 24 GB. This builds the
dataset x token matrix that duplicate detection runs on (``ItemMatrix``) and the
element -> providers index that the need gaps ask about, straight from the store's
streams: no Python object per field survives, only one small integer per field in a
numpy array and one entry per distinct field name.

Visibility stays the service's: the caller passes ``hidden`` (``service.hidden(caller)``),
and nothing hidden enters the arrays, as nothing hidden enters ``service.graph``.
"""

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse

from registry.analysis.fieldnames import FieldNormaliser
from registry.analysis.matrix import ItemMatrix
from registry.store.base import Store
from registry.store.records import NodeRef

_ORG_EDGES = ("PROVIDES", "HOLDS", "OPERATES", "BUILDS")


@dataclass
class CompactRegistry:
    """Datasets as rows; ``matrix`` for duplicates, ``providers`` for need gaps."""

    matrix: ItemMatrix
    dataset_props: list[dict[str, Any]]

    def providers(self, element: str) -> list[str]:
        """Datasets holding a field that means data element ``element`` (by code)."""
        column = self._columns.get(f"E:{element}")
        if column is None:
            return []
        by_token = self._by_token
        return [self.matrix.keys[i] for i in by_token.indices[by_token.indptr[column] : by_token.indptr[column + 1]]]

    @cached_property
    def _columns(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.matrix.token_keys)}

    @cached_property
    def _by_token(self) -> sparse.csc_matrix:
        return self.matrix.holdings.tocsc()


def _first(refs: list[str] | None) -> str | None:
    return min(refs) if refs else None


def compact_registry(store: Store, *, hidden: Collection[NodeRef] = ()) -> CompactRegistry:
    """Stream datasets, their fields and their organisations out of ``store`` into arrays.

    Tokens follow ``ItemMatrix.from_graph``: a field mapped to a data element (MEANS) is
    that element, any other field its normalised name. A field is never held as an
    object: its element is looked up by key while its HAS_FIELD row streams past, and
    only the id of its (element or) name is kept."""
    hidden_keys: dict[str, set[str]] = {}
    for ref in hidden:
        hidden_keys.setdefault(ref.label, set()).add(ref.key)
    hidden_datasets = hidden_keys.get("Dataset", set())
    hidden_fields = hidden_keys.get("Field", set())

    normaliser = FieldNormaliser.standard()
    element_names: dict[str, str] = {}
    for node in store.iter_nodes(["DataElement"]):
        name = node.props.get("name", node.key)
        normaliser.add_element(node.key, name, node.props.get("synonyms") or [])
        element_names[node.key] = name

    # field key -> element name, for mapped fields only (their name decides the token)
    means: dict[str, str] = {}
    for edge in store.iter_edges(["MEANS"]):
        if edge.dst.key in element_names:
            means.setdefault(edge.src.key, element_names[edge.dst.key])

    keys: list[str] = []
    names: list[str] = []
    texts: list[str] = []
    props: list[dict[str, Any]] = []
    row_of: dict[str, int] = {}
    for node in store.iter_nodes(["Dataset"]):
        if node.key in hidden_datasets:
            continue
        row_of[node.key] = len(keys)
        keys.append(node.key)
        names.append(node.props.get("name", node.key))
        texts.append(node.props.get("abstract") or "")
        props.append({k: node.props.get(k) for k in ("share_type", "share_condition", "secrecy_level")})

    name_ids: dict[str, int] = {}
    field_names: list[str] = []
    rows = np.zeros(0, dtype=np.int64)
    ids = np.zeros(0, dtype=np.int32)
    row_chunk: list[int] = []
    id_chunk: list[int] = []
    row_parts, id_parts = [rows], [ids]
    for edge in store.iter_edges(["HAS_FIELD"]):
        row = row_of.get(edge.src.key)
        if row is None or edge.dst.key in hidden_fields:
            continue
        raw = means.get(edge.dst.key) or edge.dst.key.split("#", 1)[-1]
        fid = name_ids.get(raw)
        if fid is None:
            fid = name_ids[raw] = len(field_names)
            field_names.append(raw)
        row_chunk.append(row)
        id_chunk.append(fid)
        if len(row_chunk) >= 1_000_000:
            row_parts.append(np.asarray(row_chunk, dtype=np.int64))
            id_parts.append(np.asarray(id_chunk, dtype=np.int32))
            row_chunk, id_chunk = [], []
    row_parts.append(np.asarray(row_chunk, dtype=np.int64))
    id_parts.append(np.asarray(id_chunk, dtype=np.int32))
    rows, ids = np.concatenate(row_parts), np.concatenate(id_parts)
    order = np.argsort(rows, kind="stable")
    counts = np.bincount(rows, minlength=len(keys))
    indptr = np.concatenate([[0], np.cumsum(counts)])

    departments, projects = _organisations(store, keys, hidden_keys)
    matrix = ItemMatrix.from_fields(
        "Dataset",
        keys=keys,
        names=names,
        texts=texts,
        departments=departments,
        department_names=_department_names(store, hidden_keys.get("Department", set())),
        projects=projects,
        field_names=field_names,
        field_indptr=indptr,
        field_ids=ids[order],
        normaliser=normaliser,
    )
    return CompactRegistry(matrix, props)


def _organisations(
    store: Store, keys: list[str], hidden: dict[str, set[str]]
) -> tuple[list[str | None], list[str | None]]:
    """Each dataset's department (PROVIDES, else the first holding system's operator) and
    project (the first holding system's BUILDS, else its ``project`` property), as
    ``graphs.department_of`` and ``graphs.project_of`` decide them."""
    provider: dict[str, list[str]] = {}
    holders: dict[str, list[str]] = {}
    operator: dict[str, list[str]] = {}
    builder: dict[str, list[str]] = {}
    into = {"PROVIDES": provider, "HOLDS": holders, "OPERATES": operator, "BUILDS": builder}
    for edge in store.iter_edges(_ORG_EDGES):
        if edge.src.key in hidden.get(edge.src.label, ()) or edge.dst.key in hidden.get(edge.dst.label, ()):
            continue
        into[edge.type].setdefault(edge.dst.key, []).append(edge.src.key)
    system_project = {
        n.key: n.props.get("project") for n in store.iter_nodes(["System"]) if n.key not in hidden.get("System", ())
    }

    def project_of_system(system: str) -> str | None:
        return _first(builder.get(system)) or system_project.get(system)

    departments: list[str | None] = []
    projects: list[str | None] = []
    for key in keys:
        systems = sorted(holders.get(key, []))
        dept = _first(provider.get(key))
        if dept is None:
            dept = next((d for d in (_first(operator.get(s)) for s in systems) if d is not None), None)
        departments.append(dept)
        projects.append(next((p for p in (project_of_system(s) for s in systems) if p), None))
    return departments, projects


def _department_names(store: Store, hidden: set[str]) -> dict[str, str]:
    return {n.key: n.props.get("name") or n.key for n in store.iter_nodes(["Department"]) if n.key not in hidden}
