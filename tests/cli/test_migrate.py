"""``registry export`` then ``registry import`` moves a whole registry between stores: the
same graph, provenance and history on the other side. The commands only know a store by
its location, so this is the path a move to or from Neo4j takes too."""

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from registry.cli import main
from registry.cli.context import os_user
from registry.schema.records import HistoryEntry
from registry.store.sqlite import SQLiteStore

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures"


def registry(store: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--store", str(store), *args], env={"REGISTRY_USER": "迁移测试"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _build(store: Path, tmp_path: Path) -> None:
    """Two formats, two operators' batches, an update and a retirement: history of every kind."""
    assert registry(store, "import", str(FIXTURES / "zj_registry.yaml")).exit_code == 0
    assert registry(store, "import", str(FIXTURES / "zj_scjg_catalogue.csv")).exit_code == 0
    changed = tmp_path / "changed.yaml"
    text = (FIXTURES / "zj_registry.yaml").read_text(encoding="utf-8")
    renamed = text.replace("name: 浙江省人口信息管理系统", "name: 浙江省人口综合信息管理系统")
    changed.write_text(renamed, encoding="utf-8")
    assert registry(store, "import", "--force", str(changed)).exit_code == 0


def _history(store: SQLiteStore) -> list[tuple[object, ...]]:
    def strip(h: HistoryEntry) -> tuple[object, ...]:
        return (h.subject, h.op, h.changes, h.prov, h.node, h.edge)

    return [strip(h) for h in store.iter_history()]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_export_then_import_into_an_empty_store_is_exact(tmp_path: Path, suffix: str) -> None:
    source, target, file = tmp_path / "source.db", tmp_path / "target.db", tmp_path / f"registry{suffix}"
    _build(source, tmp_path)

    exported = registry(source, "export", str(file))
    assert exported.exit_code == 0 and file.exists()
    imported = registry(target, "import", str(file))
    assert imported.exit_code == 0
    assert "restored" in imported.output and "provenance and history kept" in imported.output

    a, b = SQLiteStore(source), SQLiteStore(target)
    try:
        assert list(b.iter_nodes(include_retired=True)) == list(a.iter_nodes(include_retired=True))
        assert list(b.iter_edges(include_retired=True)) == list(a.iter_edges(include_retired=True))
        assert _history(b) == _history(a)
        assert any(h[1] == "update" for h in _history(b)) and any(h[1] == "retire" for h in _history(b))
        assert {n.created.by for n in b.iter_nodes()} == {f"迁移测试 (os:{os_user()})"}
        assert len({n.created.batch for n in b.iter_nodes()}) >= 2
        renamed = [n for n in b.iter_nodes(["System"]) if n.props["name"] == "浙江省人口综合信息管理系统"]
        assert renamed and renamed[0].created.batch != renamed[0].updated.batch
    finally:
        a.close()
        b.close()


def test_an_export_imported_into_a_populated_store_is_an_ordinary_declaration(tmp_path: Path) -> None:
    source, file = tmp_path / "source.db", tmp_path / "registry.json"
    _build(source, tmp_path)
    registry(source, "export", str(file))
    before = SQLiteStore(source).version()

    again = registry(source, "import", str(file))
    assert again.exit_code == 0 and "restored" not in again.output
    assert SQLiteStore(source).version() == before  # the same registry declared again changes nothing


def test_dry_run_of_an_export_restores_nothing(tmp_path: Path) -> None:
    source, target, file = tmp_path / "source.db", tmp_path / "target.db", tmp_path / "registry.json"
    _build(source, tmp_path)
    registry(source, "export", str(file))
    dry = registry(target, "import", "--dry-run", str(file))
    assert dry.exit_code == 0 and "would restore" in dry.output
    store = SQLiteStore(target)
    assert next(store.iter_nodes(include_retired=True), None) is None
    store.close()


def test_export_needs_a_document_suffix(tmp_path: Path) -> None:
    result = registry(tmp_path / "source.db", "export", str(tmp_path / "registry.txt"))
    assert result.exit_code == 2 and "name it .json, .yaml or .yml" in result.output
    assert not (tmp_path / "registry.txt").exists()


def test_an_export_is_not_restored_when_another_file_of_the_import_is_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file is read once (the YAML whole, the JSON export streamed) and checked
    before the restore writes anything."""
    from registry.importers import native, native_stream

    source, target, file = tmp_path / "source.db", tmp_path / "target.db", tmp_path / "registry.json"
    _build(source, tmp_path)
    registry(source, "export", str(file))
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nsystems:\n  - code: ZJ-BAD-01\n    name: ''\n", encoding="utf-8")
    parsed: list[str] = []
    real_whole, real_streamed = native.load_raw, native_stream._items

    def whole(path: Path) -> object:
        parsed.append(path.name)
        return real_whole(path)

    def streamed(path: Path, *args: object) -> object:
        parsed.append(path.name)
        return real_streamed(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(native, "load_raw", whole)
    monkeypatch.setattr(native_stream, "_items", streamed)
    refused = registry(target, "import", str(file), str(bad))
    assert refused.exit_code == 2 and "restored" not in refused.output
    assert sorted(parsed) == ["bad.yaml", "registry.json"]
    store = SQLiteStore(target)
    assert next(store.iter_nodes(include_retired=True), None) is None
    store.close()


def test_an_export_with_a_record_naming_an_unlisted_batch_writes_nothing(tmp_path: Path) -> None:
    import json

    source, target, file = tmp_path / "source.db", tmp_path / "target.db", tmp_path / "registry.json"
    _build(source, tmp_path)
    registry(source, "export", str(file))
    document = json.loads(file.read_text(encoding="utf-8"))
    document["records"]["nodes"][-1]["updated"] = "batch-nobody-listed"
    file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    refused = registry(target, "import", str(file))
    assert refused.exit_code == 2 and "batch-nobody-listed" in refused.output
    store = SQLiteStore(target)
    assert next(store.iter_nodes(include_retired=True), None) is None
    store.close()
