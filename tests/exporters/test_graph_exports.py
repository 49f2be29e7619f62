"""Graph exports load in the tools they are for, with the counts ``registry stats`` gives,
and hold nothing the caller may not see."""

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from registry.exporters import EXPORTS, Selection
from registry.exporters.selection import node_id
from registry.schema.enums import Clearance
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from registry.service.caller import Role
from tests.service.demo_fixture import demo_service

__all__ = ["demo_service"]

PUBLIC = Caller("planner", Role.REVIEWER, Clearance.PUBLIC)
READERS = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}


def _counts(service: RegistryService, caller: Caller) -> tuple[int, int]:
    stats = service.stats(caller)
    nodes = sum(n for label, n in stats["nodes"].items() if label != "ImportBatch")
    return nodes, sum(stats["edges"].values())


def _graph(fmt: str, path: Path) -> nx.MultiDiGraph:
    if fmt == "cytoscape":
        return nx.cytoscape_graph(json.loads(path.read_text(encoding="utf-8")))
    return READERS[fmt](path)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape"])
@pytest.mark.parametrize("caller", [Caller.system(), PUBLIC], ids=["admin", "public"])
def test_graph_files_load_in_networkx_with_the_stats_counts(
    demo_service: RegistryService, tmp_path: Path, fmt: str, caller: Caller
) -> None:
    path = tmp_path / f"registry.{fmt}"
    written = EXPORTS[fmt].write(Selection(demo_service.rows(caller)), path)
    graph = _graph(fmt, path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == _counts(demo_service, caller)
    assert (written.nodes, written.edges) == _counts(demo_service, caller)
    assert not path.with_name(path.name + ".partial").exists()


def test_a_public_export_holds_nothing_hidden_from_the_public(demo_service: RegistryService, tmp_path: Path) -> None:
    hidden = demo_service.hidden(PUBLIC)
    assert hidden, "the demo registry has classified entries"
    path = tmp_path / "public.graphml"
    EXPORTS["graphml"].write(Selection(demo_service.rows(PUBLIC)), path)
    graph = nx.read_graphml(path)
    assert not {node_id(ref) for ref in hidden} & set(graph.nodes)
    text = path.read_text(encoding="utf-8")
    assert not [ref for ref in hidden if f'<data key="n_key">{ref.key}</data>' in text]


def test_node_attributes_keep_kind_key_and_typed_properties(demo_service: RegistryService, tmp_path: Path) -> None:
    path = tmp_path / "registry.graphml"
    EXPORTS["graphml"].write(Selection(demo_service.rows(Caller.system())), path)
    graph = nx.read_graphml(path)
    datasets = [d for _, d in graph.nodes(data=True) if d["label"] == "Dataset"]
    assert all(isinstance(d.get("open_to_public", False), bool) for d in datasets)
    edge_types = {d["type"] for _, _, d in graph.edges(data=True)}
    assert {"PROVIDES", "HAS_FIELD", "OPERATES"} <= edge_types


def _department(service: RegistryService) -> str:
    return max(
        (r.key for r in service.find(Caller.system(), "Department")),
        key=lambda code: len(service.edges(Caller.system(), [NodeRef("Department", code)])),
    )


def test_a_department_part_holds_what_it_owns_and_what_that_links_to(
    demo_service: RegistryService, tmp_path: Path
) -> None:
    code = _department(demo_service)
    path = tmp_path / "department.gexf"
    written = EXPORTS["gexf"].write(Selection(demo_service.rows(Caller.system()), department=code), path)
    graph = nx.read_gexf(path)
    provided = {
        node_id(e.dst) for e in demo_service.edges(Caller.system(), [NodeRef("Department", code)], types=["PROVIDES"])
    }
    assert f"Department:{code}" in graph and provided and provided <= set(graph.nodes)
    assert 0 < written.nodes < _counts(demo_service, Caller.system())[0]
    assert graph.number_of_edges() == written.edges


HEADER = re.compile(
    r"^(?:"
    r":(?:ID|START_ID|END_ID)(?:\([A-Za-z_]+\))?"
    r"|:LABEL|:TYPE|:IGNORE"
    r"|[A-Za-z_][A-Za-z0-9_]*(?::(?:int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time"
    r"|localdatetime|datetime|duration)(?:\[\])?)?"
    r")$"
)
"""neo4j-admin's header grammar: ``name:type`` (type optional, ``[]`` for arrays) or one of
the special fields."""


def _rows(folder: Path, prefix: str) -> Iterator[tuple[Path, list[str], list[list[str]]]]:
    for path in sorted(folder.glob(f"{prefix}-*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        yield path, header, rows


def test_neo4j_admin_files_follow_the_header_grammar_and_hold_every_entry(
    demo_service: RegistryService, tmp_path: Path
) -> None:
    written = EXPORTS["neo4j-csv"].write(Selection(demo_service.rows(Caller.system())), tmp_path)
    ids: set[str] = set()
    nodes = edges = 0
    for path, header, rows in _rows(tmp_path, "nodes"):
        assert all(HEADER.match(field) for field in header), (path.name, header)
        assert header.count(":ID") == 1 and header.count(":LABEL") == 1
        for row in rows:
            assert len(row) == len(header)
            record = dict(zip(header, row, strict=True))
            assert record[":LABEL"] == path.stem.removeprefix("nodes-")
            for field, value in record.items():
                _check_typed(field, value)
            ids.add(record[":ID"])
        nodes += len(rows)
    for path, header, rows in _rows(tmp_path, "relationships"):
        assert all(HEADER.match(field) for field in header), (path.name, header)
        assert {":START_ID", ":END_ID", ":TYPE"} <= set(header)
        for row in rows:
            record = dict(zip(header, row, strict=True))
            assert record[":START_ID"] in ids and record[":END_ID"] in ids  # no dangling relationship
            assert record[":TYPE"] == path.stem.removeprefix("relationships-")
        edges += len(rows)
    assert (nodes, edges) == (written.nodes, written.edges) == _counts(demo_service, Caller.system())
    assert "neo4j-admin database import full --nodes=" in written.notes[0]


def _check_typed(field: str, value: str) -> None:
    if not value or ":" not in field.lstrip(":"):
        return
    kind = field.rsplit(":", 1)[1]
    if kind == "long":
        int(value)
    elif kind == "boolean":
        assert value in ("true", "false")
    elif kind == "date":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    elif kind == "double":
        float(value)


def test_neo4j_text_cells_a_spreadsheet_would_run_are_escaped(tmp_path: Path) -> None:
    from registry.schema.records import NodeRecord, Provenance

    prov = Provenance(source="t", batch="b", by="t", at="2024-01-01")
    node = NodeRecord("DataElement", "DE-1", {"code": "DE-1", "name": '=HYPERLINK("x")'}, prov, prov)

    class Rows:
        def iter_nodes(self, labels: object = None, *, include_retired: bool = False) -> Iterator[NodeRecord]:
            yield node

        def iter_edges(self, types: object = None, *, include_retired: bool = False) -> Iterator[object]:
            yield from ()

    EXPORTS["neo4j-csv"].write(Selection(Rows()), tmp_path)  # type: ignore[arg-type]
    [(_, header, [row])] = list(_rows(tmp_path, "nodes"))
    record = dict(zip(header, row, strict=True))
    assert record["name:string"] == '\'=HYPERLINK("x")'
    assert json.loads(record["_props:string"])["name"] == '=HYPERLINK("x")'
