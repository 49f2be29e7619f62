"""The compact representation duplicate detection runs on.

An ``ItemMatrix`` holds one row per system or dataset: a sparse items x tokens matrix of
what it holds (data elements, or a field's stem and attribute class where no element is
mapped, see ``registry.analysis.fieldnames``), the same rows over the distinct field
names as written (``fields``, for matching near misses and showing them to a reviewer),
a weight per token, plus parallel arrays of names, descriptions, departments, projects
and declared functions.
No Python object per field survives the build, which is what lets the same core run at
national scale (1M datasets, 20M fields) where a networkx graph no longer fits.

Three ways in:
- ``ItemMatrix.from_graph(graph, kind)`` for a caller's visible projection (the service
  path: nothing hidden can enter the matrix);
- ``holdings.item_matrix(rows, kind)`` for the same caller's rows, without the graph
  (what the service's callers use);
- ``ItemMatrix.from_fields(...)`` from plain arrays (a bulk export, the synthetic
  generator), with field names given once per distinct name and referenced by id.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

from registry.analysis import graphs
from registry.analysis.fieldnames import FieldName, FieldNormaliser
from registry.schema.records import NodeRef


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
    weights: np.ndarray
    """Per token: how much sharing it says (``FieldName.weight``), independent of registry size."""
    fields: sparse.csr_matrix
    """Items x distinct field names as written: ``field_names[j]`` for the columns of a row."""
    field_names: list[FieldName]

    def __len__(self) -> int:
        return len(self.keys)

    def row_fields(self, i: int) -> list[FieldName]:
        """The field names item ``i`` holds, as written."""
        return [self.field_names[j] for j in self.fields.indices[self.fields.indptr[i] : self.fields.indptr[i + 1]]]

    def idf(self) -> np.ndarray:
        """Rarity of each token in this registry: ``ln((n+1)/(df+1))``. Candidate generation
        probes with rare tokens first; scores use ``weights``, which do not depend on the
        registry's size."""
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
        read = [normaliser.read(name) for name in field_names]
        return cls.assemble(
            kind,
            keys=keys,
            names=names,
            texts=texts,
            functions=functions or [""] * len(keys),
            departments=departments,
            department_names=department_names or {},
            projects=projects,
            indptr=np.asarray(field_indptr, dtype=np.int64),
            field_ids=np.asarray(field_ids, dtype=np.int64),
            field_names=read,
            element_names=normaliser.element_names,
        )

    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph, kind: str = "Dataset") -> "ItemMatrix":
        """Rows for every Dataset (its fields) or System (the fields of what it holds)."""
        if kind not in ("Dataset", "System"):
            raise ValueError(f"duplicate detection compares systems or datasets, not {kind!r}")
        normaliser = normaliser_for(graph)
        names: dict[tuple[str, str | None], int] = {}
        read: list[FieldName] = []
        field_ids: dict[NodeRef, int] = {}

        def field_id(fld: NodeRef) -> int:
            found = field_ids.get(fld)
            if found is None:
                element = graphs.first(graphs.out(graph, fld, "MEANS"))
                raw = graph.nodes[fld].get("name", getattr(fld, "key", ""))
                key = (raw, element.key if element else None)
                found = names.get(key)
                if found is None:
                    found = names[key] = len(read)
                    read.append(normaliser.element(element.key, raw) if element else normaliser.read(raw))
                field_ids[fld] = found
            return found

        items = graphs.nodes(graph, kind)
        indptr, cols = [0], []
        for item in items:
            datasets = [item] if kind == "Dataset" else graphs.out(graph, item, "HOLDS")
            cols.extend(sorted({field_id(fld) for ds in datasets for fld in graphs.out(graph, ds, "HAS_FIELD")}))
            indptr.append(len(cols))
        departments = [graphs.department_of(graph, item) for item in items]
        text_property = "abstract" if kind == "Dataset" else "description"
        return cls.assemble(
            kind,
            keys=[i.key for i in items],
            names=[graph.nodes[i].get("name", i.key) for i in items],
            texts=[graph.nodes[i].get(text_property) or "" for i in items],
            functions=[" ".join(graph.nodes[i].get("functions") or []) for i in items],
            departments=[d.key if d else None for d in departments],
            department_names={d.key: graphs.name_of(graph, d) or d.key for d in departments if d},
            projects=[graphs.project_of(graph, i) for i in items],
            indptr=np.asarray(indptr, dtype=np.int64),
            field_ids=np.asarray(cols, dtype=np.int64),
            field_names=read,
            element_names=normaliser.element_names,
        )

    @classmethod
    def assemble(
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
        field_ids: np.ndarray,
        field_names: list[FieldName],
        element_names: dict[str, str],
    ) -> "ItemMatrix":
        """Rows over distinct field names already read (item ``i`` holds
        ``field_names[field_ids[j]]`` for ``j`` in ``indptr[i]:indptr[i+1]``, repeats
        allowed), then over tokens through a name -> token map computed once per distinct
        name. Every way in ends here (``registry.analysis.holdings`` for a caller's rows)."""
        fields = sparse.csr_matrix(
            (np.ones(len(field_ids), dtype=np.float32), field_ids, indptr), shape=(len(keys), len(field_names))
        )
        fields.sum_duplicates()
        fields.data[:] = 1.0
        tokens: dict[str, int] = {}
        remap = np.fromiter(
            (tokens.setdefault(f.token, len(tokens)) for f in field_names), dtype=np.int64, count=len(field_names)
        )
        weights = np.ones(len(tokens), dtype=np.float32)
        vocabulary = [""] * len(tokens)
        for f, t in zip(field_names, remap.tolist(), strict=True):
            if not vocabulary[t]:
                weights[t] = f.weight
                vocabulary[t] = element_names.get(f.klass[2:], f.raw) if f.is_element else f.raw
        holdings = sparse.csr_matrix(
            (np.ones(len(fields.indices), dtype=np.float32), remap[fields.indices], fields.indptr.copy()),
            shape=(len(keys), len(tokens)),
        )
        holdings.sum_duplicates()
        holdings.data[:] = 1.0
        dept_codes, dept_keys = _codes(departments)
        proj_codes, proj_keys = _codes(projects)
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
            weights=weights,
            fields=fields,
            field_names=field_names,
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
