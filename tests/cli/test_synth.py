"""``registry synth`` writes a registry that ``registry import`` takes as it is, and says
what it planted."""

import json
from pathlib import Path

from tests.cli.conftest import Run, summary, table_row


def test_synth_writes_a_registry_the_importer_takes(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "生成" / "registry.json"
    result = run("synth", str(out), "--datasets", "100", "--seed", "1")
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "生成" / "registry.truth.json").read_text(encoding="utf-8"))
    assert f"{truth['config']['datasets']} datasets" in result.output and "registry.truth.json" in result.output
    assert table_row(result.output, "gap: unmet_need") == ["1"]
    assert table_row(result.output, "duplicate system groups") == [str(len(truth["duplicates"]["System"]))]
    imported = run("import", str(out))
    assert imported.exit_code == 0, imported.output
    totals = summary(imported.output, "registry.json")
    assert totals["rejected"] == 0 and totals["created"] > 0 and "invalid" not in imported.output


def test_synth_clean_plants_nothing(run: Run, tmp_path: Path) -> None:
    result = run("synth", str(tmp_path / "clean.yaml"), "--datasets", "100", "--clean")
    assert result.exit_code == 0, result.output
    assert "nothing planted" in result.output and (tmp_path / "clean.truth.json").is_file()


def test_synth_refuses_bad_arguments_without_writing(run: Run, tmp_path: Path) -> None:
    wrong_suffix = run("synth", str(tmp_path / "registry.csv"))
    assert wrong_suffix.exit_code == 2 and ".json" in wrong_suffix.output
    too_small = run("synth", str(tmp_path / "registry.json"), "--datasets", "5")
    assert too_small.exit_code == 2 and "100" in too_small.output
    assert list(tmp_path.iterdir()) == []
