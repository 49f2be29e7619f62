"""The compact representation duplicate detection runs on.

An ``ItemMatrix`` holds one row per system or dataset: a sparse items x tokens matrix of
what it holds (data elements, or canonical field names where no element is mapped), plus
parallel arrays of names, descriptions, departments, projects and declared functions.
No Python object per field survives the build, which is what lets the same core run at
national scale (1M datasets, 20M fields) where a networkx graph no longer fits.

Two ways in:
- ``ItemMatrix.from_graph(graph, kind)`` for a caller's visible projection (the service
  path: nothing hidden can enter the matrix);
- ``ItemMatrix.from_fields(...)`` from plain arrays (a bulk export, the synthetic
  generator), with field names given once per distinct name and referenced by id.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

from registry.analysis import graphs
from registry.analysis.fieldnames import FieldNormaliser


@dataclass(frozen=True)
class ItemMatrix:
    kind: str
    keys: list[str]
    names: list[str]
    texts: list[str]
    functions: list[str]
    departments: np.ndarray
    department_keys: list[str]
    department_names: list[str]
    projects: np.ndarray
    project_keys: list[str]
    holdings: sparse.csr_matrix
    vocabulary: list[str]
    token_keys: list[str]

    def __len__(self) -> int:
        return len(self.keys)

    def idf(self) -> np.ndarray:
        """Rarity of each token: ``ln((n+1)/(df+1))``, about 0 for an element every item
        holds (ID number, name, address) and largest for one only two items hold."""
        df = np.bincount(self.holdings.indices, minlength=self.holdings.shape[1]).astype(np.float32)
        return np.log((len(self) + 1) / (df + 1)).astype(np.float32)

    @classmethod
    def from_fields(
        cls,
        kind: str,
        *,
        keys: list[str],
        names: list[str],
        texts: list[str],
        departments: Sequence[str | None],
        department_names: dict[str, str] | None = None,
        projects: Sequence[str | None],
        field_names: list[str],
        field_indptr: np.ndarray,
        field_ids: np.ndarray,
        functions: list[str] | None = None,
        normaliser: FieldNormaliser | None = None,
    ) -> "ItemMatrix":
        """Rows from arrays: item ``i`` holds the raw names ``field_names[field_ids[j]]`` for
        ``j`` in ``field_indptr[i]:field_indptr[i+1]``. Each distinct raw name is normalised
        once; ids are remapped with numpy."""
        normaliser = normaliser or FieldNormaliser.standard()
        tokens: dict[str, int] = {}
        remap = np.fromiter(
            (tokens.setdefault(normaliser.token(name), len(tokens)) for name in field_names),
            dtype=np.int64,
            count=len(field_names),
        )
        cols = remap[np.asarray(field_ids, dtype=np.int64)]
        return cls._assemble(
            kind,
            keys=keys,
            names=names,
            texts=texts,
            functions=functions or [""] * len(keys),
            departments=departments,
            department_names=department_names or {},
            projects=projects,
            indptr=np.asarray(field_indptr, dtype=np.int64),
            cols=cols,
            tokens=tokens,
            element_names={},
        )

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph, kind: str = "Dataset") -> "ItemMatrix":
        """Rows for every Dataset (its fields) or System (the fields of what it holds)."""
        if kind not in ("Dataset", "System"):
            raise ValueError(f"duplicate detection compares systems or datasets, not {kind!r}")
        normaliser = normaliser_for(graph)
        element_names = {
            f"E:{ref.key}": graph.nodes[ref].get("name", ref.key) for ref in graphs.nodes(graph, "DataElement")
        }
        field_tokens: dict[object, str] = {}

        def dataset_tokens(dataset: object) -> list[str]:
            out = []
            for fld in graphs.out(graph, dataset, "HAS_FIELD"):
                token = field_tokens.get(fld)
                if token is None:
                    element = graphs.first(graphs.out(graph, fld, "MEANS"))
                    token = f"E:{element.key}" if element else normaliser.token(graph.nodes[fld].get("name", fld.key))
                    field_tokens[fld] = token
                out.append(token)
            return out

        items = graphs.nodes(graph, kind)
        tokens: dict[str, int] = {}
        indptr, cols = [0], []
        for item in items:
            held = (
                dataset_tokens(item)
                if kind == "Dataset"
                else [t for ds in graphs.out(graph, item, "HOLDS") for t in dataset_tokens(ds)]
            )
            cols.extend(sorted({tokens.setdefault(t, len(tokens)) for t in held}))
            indptr.append(len(cols))
        departments = [graphs.department_of(graph, item) for item in items]
        text_property = "abstract" if kind == "Dataset" else "description"
        return cls._assemble(
            kind,
            keys=[i.key for i in items],
            names=[graph.nodes[i].get("name", i.key) for i in items],
            texts=[graph.nodes[i].get(text_property) or "" for i in items],
            functions=[" ".join(graph.nodes[i].get("functions") or []) for i in items],
            departments=[d.key if d else None for d in departments],
            department_names={d.key: graphs.name_of(graph, d) or d.key for d in departments if d},
            projects=[graphs.project_of(graph, i) for i in items],
            indptr=np.asarray(indptr, dtype=np.int64),
            cols=np.asarray(cols, dtype=np.int64),
            tokens=tokens,
            element_names=element_names,
        )

    @classmethod
    def _assemble(
        cls,
        kind: str,
        *,
        keys: list[str],
        names: list[str],
        texts: list[str],
        functions: list[str],
        departments: Sequence[str | None],
        department_names: dict[str, str],
        projects: Sequence[str | None],
        indptr: np.ndarray,
        cols: np.ndarray,
        tokens: dict[str, int],
        element_names: dict[str, str],
    ) -> "ItemMatrix":
        holdings = sparse.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), cols, indptr), shape=(len(keys), len(tokens))
        )
        holdings.sum_duplicates()
        holdings.data[:] = 1.0
        dept_codes, dept_keys = _codes(departments)
        proj_codes, proj_keys = _codes(projects)
        vocabulary = [""] * len(tokens)
        for token, index in tokens.items():
            vocabulary[index] = element_names.get(token) or token[2:]
        return cls(
            kind=kind,
            keys=list(keys),
            names=list(names),
            texts=list(texts),
            functions=list(functions),
            departments=dept_codes,
            department_keys=dept_keys,
            department_names=[department_names.get(k, k) for k in dept_keys],
            projects=proj_codes,
            project_keys=proj_keys,
            holdings=holdings,
            vocabulary=vocabulary,
            token_keys=list(tokens),
        )


def _codes(values: Sequence[str | None]) -> tuple[np.ndarray, list[str]]:
    """Integer codes for repeated strings (-1 for none), so comparisons are array ops."""
    index: dict[str, int] = {}
    codes = np.fromiter(
        (-1 if v is None else index.setdefault(v, len(index)) for v in values), dtype=np.int32, count=len(values)
    )
    return codes, list(index)


def normaliser_for(graph: nx.MultiDiGraph) -> FieldNormaliser:
    """The standard synonyms plus the data elements this registry declares."""
    normaliser = FieldNormaliser.standard()
    for ref in graphs.nodes(graph, "DataElement"):
        attrs = graph.nodes[ref]
        normaliser.add_element(ref.key, attrs.get("name", ref.key), attrs.get("synonyms") or [])
    return normaliser
