"""A native JSON document read part by part gives what reading it whole gives: the same
nodes, edges, scopes and issues (at the same paths), every edge after both its ends, and
nothing to write from a file with errors or one that cannot be read."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from registry import importers
from registry.importers import Unreadable, native_stream
from registry.service import Caller, RegistryService
from registry.service.checking import check
from registry.service.declaration import Declaration, DeclarationStream
from registry.service.errors import ImportRejected
from registry.store.neo4j import Neo4jStore


def _document(fixtures: Path) -> dict[str, Any]:
    return yaml.safe_load((fixtures / "zj_registry.yaml").read_text(encoding="utf-8"))


def _write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False, default=str, indent=1), encoding="utf-8")
    return path


def _whole(stream: DeclarationStream) -> tuple[list[Declaration], Declaration]:
    parts = list(stream.parts)
    whole = Declaration(stream.source, stream.format, stream.sha256)
    for part in parts:
        whole.extend(part)
    return parts, whole


def _same(streamed: Declaration, read: Declaration) -> None:
    def nodes(d: Declaration) -> list[tuple[str, str, str]]:
        return sorted((n.LABEL, n.key(), json.dumps(n.props(), sort_keys=True, default=str)) for n in d.nodes)

    def edges(d: Declaration) -> list[tuple[str, str, str, str]]:
        return sorted((e.type, str(e.src), str(e.dst), json.dumps(e.props, sort_keys=True)) for e in d.edges)

    assert nodes(streamed) == nodes(read)
    assert edges(streamed) == edges(read)
    assert sorted(map(repr, streamed.scopes)) == sorted(map(repr, read.scopes))
    assert sorted(map(repr, streamed.issues)) == sorted(map(repr, read.issues))
    assert streamed.sha256 == read.sha256


def test_parts_give_what_reading_whole_gives_each_edge_after_its_ends(fixtures: Path, tmp_path: Path) -> None:
    doc = _document(fixtures)
    doc["datasets"].reverse()  # a field derived from one further down the file: a forward reference
    path = _write(tmp_path / "zj.json", doc)
    parts, streamed = _whole(native_stream.stream(path, part_items=1))
    read = importers.read(path)
    assert read.issues == [] and len(parts) > 5
    _same(streamed, read)
    written: set[tuple[str, str]] = set()
    for part in parts:
        written.update((n.LABEL, n.key()) for n in part.nodes)
        for edge in part.edges:
            assert {(edge.src.label, edge.src.key), (edge.dst.label, edge.dst.key)} <= written, edge


def test_a_file_saved_with_a_byte_order_mark_streams_too(fixtures: Path, tmp_path: Path) -> None:
    """Windows editors save UTF-8 with a BOM; such a file is parsed a part at a time like
    any other (its encoding and digest from ``sniff_file``), not read whole."""
    path = tmp_path / "zj-bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_document(fixtures), ensure_ascii=False, default=str).encode())
    stream = native_stream.stream(path, part_items=1)
    parts, streamed = _whole(stream)
    assert len(parts) > 5
    _same(streamed, importers.read(path))


def test_a_file_with_errors_is_refused_by_the_check_with_the_issues_read_reports(
    fixtures: Path, tmp_path: Path
) -> None:
    doc = _document(fixtures)
    doc["systems"][0]["network"] = "卫星网"
    doc["datasets"][1]["share_type"] = "不予共享"
    doc["needs"][0]["for_element"] = "DE09999"
    doc["projects"][0]["builds"] = ["NO-SUCH-SYSTEM"]
    doc["datasets"].append({"resource_code": "10102/001", "name": "重复声明"})
    path = _write(tmp_path / "bad.json", doc)

    checked = check(native_stream.stream(path, part_items=2))
    assert checked.rejected
    assert sorted(map(repr, checked.issues)) == sorted(map(repr, importers.read(path).issues))
    assert {(i.row, i.column) for i in checked.summary.errors} == {
        ("systems[0]", "network"),
        ("datasets[1]", "share_condition"),
        ("needs[0]", "for_element"),
        ("projects[0]", "builds[0]"),
        ("datasets[2]", None),
    }
    _, skipped = _whole(native_stream.stream(path, skip_invalid=True, part_items=2))
    _same(skipped, importers.read(path, skip_invalid=True))
    assert skipped.scopes == [] and any("nothing missing" in i.reason for i in skipped.issues)


def test_a_streamed_file_with_errors_leaves_no_trace_on_neo4j(
    fixtures: Path, tmp_path: Path, bolt_store: Neo4jStore
) -> None:
    """On Neo4j each part commits on its own, so only checking the whole file first keeps
    a file whose error is in its last section from leaving its earlier sections behind."""
    doc = _document(fixtures)
    doc["needs"][0]["for_element"] = "DE09999"
    path = _write(tmp_path / "bad.json", doc)
    before = bolt_store.version()
    with pytest.raises(ImportRejected):
        RegistryService(bolt_store).load_stream(native_stream.stream(path, part_items=1), Caller.system())
    assert bolt_store.version() == before
    assert bolt_store.label_counts() == {} and bolt_store.open_loads() == []


def test_unreadable_json_refuses_the_file_wherever_its_fault(fixtures: Path, tmp_path: Path) -> None:
    whole = json.dumps(_document(fixtures), ensure_ascii=False, default=str)
    for text, reason in (
        ('{"departments": [', "not valid JSON: Expecting value at line 1, column 18"),
        ('["a", "b"]', "mapping"),
        ('{"datasets": [' + "[" * 100 + "]" * 100 + "]}", "deeper than 64"),
        ('{"datasets": [{"resource_code": 1' + "0" * 40 + "}]}", "digits"),
        (whole[:-1] + ', "requests": [{}, }', "not valid JSON: Expecting value at line 1, column"),
        (whole[:-1] + ', "version": 2, "version": 1}', "twice"),
    ):
        path = tmp_path / "broken.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(Unreadable, match=reason):
            list(native_stream.stream(path, skip_invalid=True).parts)


def test_values_longer_than_a_block_and_cut_at_its_end_are_read_whole(
    fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text is held a block at a time: a value cut by the block's end (here every
    one, in a block of 7 characters) is read on until it ends."""
    path = _write(tmp_path / "zj.json", _document(fixtures))
    monkeypatch.setattr(native_stream, "_BLOCK", 7)
    _, streamed = _whole(native_stream.stream(path, part_items=3))
    _same(streamed, importers.read(path))


def test_each_parts_upserts_are_its_nodes_keys_and_properties(fixtures: Path, tmp_path: Path) -> None:
    """The builder hands the checking pass its nodes' upserts as it declares them; they
    must be exactly what each node would give (label, ``key()``, ``props()``), duplicates
    and fields from another dataset left out of both."""
    doc = _document(fixtures)
    dataset = doc["datasets"][0]
    dataset["fields"].append(dict(dataset["fields"][0]))  # a field declared twice
    dataset["fields"].append({**dataset["fields"][0], "name": "另一项", "dataset": "not/the-enclosing"})
    path = _write(tmp_path / "zj.json", doc)
    parts = list(native_stream.stream(path, part_items=1, skip_invalid=True).parts)
    assert any(part.nodes for part in parts)
    for part in parts:
        assert part.node_rows() == [(n.LABEL, n.key(), n.props()) for n in part.nodes]
        assert part.node_rows() is part.upserts or not part.nodes  # the builder's own, not made again
    read = importers.read(path, skip_invalid=True)
    assert read.node_rows() == [(n.LABEL, n.key(), n.props()) for n in read.nodes]
    assert len(read.issues) >= 2
