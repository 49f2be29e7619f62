"""``registry show`` answers "what is this, what is it linked to, where did it come from,
who changed it"; ``registry stats`` counts what the store holds."""

from pathlib import Path

from tests.cli import catalogue
from tests.cli.conftest import Run, counts


def test_show_a_department_with_relations_and_provenance(run: Run, tmp_path: Path) -> None:
    assert run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2]))).exit_code == 0
    name, code = catalogue.PROVIDER
    result = run("show", code)
    assert result.exit_code == 0, result.output
    assert f"Department {code}  {name}" in result.output
    assert "PROVIDES" in result.output and catalogue.code(1) in result.output and "居民户籍信息" in result.output
    assert "hz.csv" in result.output and "batch-" in result.output
    by_name = run("show", name)
    assert by_name.exit_code == 0 and f"Department {code}" in by_name.output


def test_show_history_says_what_changed_from_what(run: Run, tmp_path: Path) -> None:
    assert run("import", str(catalogue.write(tmp_path / "v1.csv", [1]))).exit_code == 0
    changed = catalogue.write(tmp_path / "v2.csv", [1], abstracts={1: "新的摘要"})
    assert run("import", str(changed)).exit_code == 0
    result = run("show", catalogue.code(1), "--history", "0")
    assert result.exit_code == 0, result.output
    assert "abstract: 居民户籍信息（杭州市） → 新的摘要" in result.output
    assert "update" in result.output and "create" in result.output
    assert "v1.csv" in result.output and "v2.csv" in result.output


def test_show_ambiguous_and_unknown_keys(run: Run, tmp_path: Path) -> None:
    assert run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3]))).exit_code == 0
    ambiguous = run("show", "登记")
    assert ambiguous.exit_code == 1
    assert "企业登记信息" in ambiguous.output and "婚姻登记信息" in ambiguous.output and "--label" in ambiguous.output
    unique_name = run("show", "姓名")
    assert unique_name.exit_code == 0 and f"Field {catalogue.code(1)}#姓名" in unique_name.output
    field = run("show", f"{catalogue.code(1)}#姓名", "--label", "field")
    assert field.exit_code == 0 and "HAS_FIELD" in field.output
    unknown = run("show", "没有这个")
    assert unknown.exit_code == 1 and "no entry" in unknown.output


def test_stats_counts_entries_and_relations(run: Run, tmp_path: Path, store: Path) -> None:
    missing = run("stats")
    assert missing.exit_code == 1 and f"no registry at {store}" in missing.output
    assert not store.exists()
    assert run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3]))).exit_code == 0
    found = counts(run("stats").output)
    assert found["Department"] == 1 and found["Dataset"] == 3 and found["Field"] == 6
    assert found["PROVIDES"] == 3 and found["HAS_FIELD"] == 6 and found["ImportBatch"] == 1
