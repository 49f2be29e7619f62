"""Dry runs and retirement: an entry a department's catalogue no longer lists is retired,
a dry run shows that and writes nothing, and the safety limit refuses mass retirement."""

from pathlib import Path

from tests.cli import catalogue
from tests.cli.conftest import Run, counts, summary


def _loaded(run: Run, tmp_path: Path) -> None:
    result = run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3, 4, 5])))
    assert result.exit_code == 0, result.output


def test_dry_run_shows_what_would_change_and_writes_nothing(run: Run, tmp_path: Path) -> None:
    _loaded(run, tmp_path)
    before = run("stats").output
    changed = catalogue.write(tmp_path / "hz.csv", [1, 2, 3, 4], abstracts={1: "更新后的摘要"})
    result = run("import", "--dry-run", str(changed))
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    row = summary(result.output, "hz.csv")
    assert row["retired"] == 6  # the dataset, its two fields and their three relations
    assert row["updated"] == 1 and row["created"] == 0
    assert f"Dataset:{catalogue.code(5)}" in result.output and "would be retired" in result.output
    assert run("stats").output == before
    assert run("show", catalogue.code(5)).exit_code == 0


def test_dry_run_of_dependent_files_shows_their_combined_effect(run: Run, tmp_path: Path) -> None:
    first = catalogue.write(tmp_path / "a.csv", [1, 2])
    second = catalogue.write(tmp_path / "b.csv", [1, 2, 3])
    result = run("import", "--dry-run", str(first), str(second))
    assert result.exit_code == 0, result.output
    assert summary(result.output, "a.csv")["created"] > 0
    assert summary(result.output, "b.csv")["created"] == 6  # dataset 3, its two fields, three relations
    assert "Dataset" not in counts(run("stats").output)


def test_import_retires_what_the_catalogue_dropped(run: Run, tmp_path: Path) -> None:
    _loaded(run, tmp_path)
    result = run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3, 4])))
    assert result.exit_code == 0, result.output
    assert summary(result.output, "hz.csv")["retired"] == 6
    gone = run("show", catalogue.code(5))
    assert gone.exit_code == 1 and "no entry" in gone.output


def test_retire_limit_refuses_and_force_proceeds(run: Run, tmp_path: Path) -> None:
    _loaded(run, tmp_path)
    before = run("stats").output
    shrunk = catalogue.write(tmp_path / "hz.csv", [1, 2])
    refused = run("import", str(shrunk))
    assert refused.exit_code == 1
    assert "would retire 3 of the 5" in refused.output and "--force" in refused.output
    assert "Traceback" not in refused.output
    assert run("stats").output == before
    raised = run("import", "--retire-limit", "0.6", str(shrunk))
    assert raised.exit_code == 0, raised.output
    assert summary(raised.output, "hz.csv")["retired"] == 3 * 6


def test_force_overrides_the_limit(run: Run, tmp_path: Path) -> None:
    _loaded(run, tmp_path)
    forced = run("import", "--force", str(catalogue.write(tmp_path / "hz.csv", [1])))
    assert forced.exit_code == 0, forced.output
    assert summary(forced.output, "hz.csv")["retired"] == 4 * 6
