"""One file imported into a registry is checked in a child process while it is written
(``registry.cli.load.import_one``): what it prints, writes and refuses is what the same
import checked whole first prints, writes and refuses."""

import csv
import json
from pathlib import Path

import pytest

from registry import importers
from registry.service import core
from registry.service.declaration import DeclarationStream
from registry.service.forked_check import ForkedCheck
from tests.cli import catalogue
from tests.cli.conftest import Run, counts, summary

LARGE = 3000
"""Resources in the large catalogue: several parts, so that some are written before its last."""


def _large(path: Path, *, bad_last: bool = False) -> Path:
    """The small catalogue's five resources and ``LARGE`` more of one 信息项 each."""
    catalogue.write(path, [1, 2, 3, 4, 5])
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for n in range(1, LARGE + 1):
            data_type = "Z型" if bad_last and n == LARGE else "C"
            code = f"101330100/{n + 100:05d}"
            writer.writerow(
                [
                    f"批量数据{n}",
                    code,
                    *catalogue.PROVIDER,
                    "摘要",
                    "名称",
                    data_type,
                    "无条件共享",
                    "共享平台/接口",
                    "每日",
                ]
            )
    return path


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[ForkedCheck]:
    """The checks forked by the imports run, in order."""
    made: list[ForkedCheck] = []

    class Counted(ForkedCheck):
        def __init__(self, *args: object, **kwargs: bool) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(core, "ForkedCheck", Counted)
    return made


def _import_twice(run: Run, tmp_path: Path) -> tuple[str, str, str]:
    """A registry, then a second import into it: its output, ``--json`` output and the stats."""
    assert run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3, 4, 5]))).exit_code == 0
    changed = catalogue.write(tmp_path / "hz2.csv", [1, 2, 3, 4], abstracts={1: "更新后的摘要"})
    result = run("import", str(_large(tmp_path / "large.csv")))
    assert result.exit_code == 0, result.output
    loaded = run("import", "--json", "--force", str(changed))
    assert loaded.exit_code == 0, loaded.output
    return result.output, loaded.output, run("stats").output


def test_one_file_is_checked_beside_its_write_with_the_same_outcome(
    run: Run, tmp_path: Path, forks: list[ForkedCheck], monkeypatch: pytest.MonkeyPatch
) -> None:
    output, as_json, stats = _import_twice(run, tmp_path)
    assert len(forks) == 3
    (tmp_path / "registry.db").unlink()
    monkeypatch.setattr(core, "can_fork", lambda _stream: False)
    output_first, as_json_first, stats_first = _import_twice(run, tmp_path)
    assert len(forks) == 3
    assert summary(output, "large.csv") == summary(output_first, "large.csv")
    assert summary(output, "large.csv")["created"] == LARGE * 4  # a dataset, its 信息项 and two relations each
    results, results_first = json.loads(as_json), json.loads(as_json_first)
    for result in (results, results_first):
        del result[0]["batch"]
    assert results == results_first and results[0]["counts"]["updated"] == 1
    assert len([r for r in results[0]["retired"] if r["label"] == "Dataset"]) == LARGE + 1
    assert counts(stats) == counts(stats_first)


def test_a_file_refused_at_its_end_leaves_the_registry_as_it_was(
    run: Run, tmp_path: Path, forks: list[ForkedCheck]
) -> None:
    assert run("import", str(catalogue.write(tmp_path / "hz.csv", [1, 2, 3, 4, 5]))).exit_code == 0
    before = run("stats").output
    result = run("import", str(_large(tmp_path / "large.csv", bad_last=True)))
    assert result.exit_code == 2, result.output
    assert "1 invalid value(s)" in result.output and "Z型" in result.output
    assert "Traceback" not in result.output
    assert len(forks) == 2 and run("stats").output == before
    skipped = run("import", "--skip-invalid", str(_large(tmp_path / "large.csv", bad_last=True)))
    assert skipped.exit_code == 0, skipped.output
    assert "1 invalid value(s) skipped" in skipped.output
    assert counts(run("stats").output)["Dataset"] == 5 + LARGE  # the bad 信息项 alone left out


def test_a_refused_file_leaves_no_registry_where_there_was_none(
    run: Run, tmp_path: Path, store: Path, forks: list[ForkedCheck]
) -> None:
    result = run("import", str(_large(tmp_path / "large.csv", bad_last=True)))
    assert result.exit_code == 2, result.output
    assert len(forks) == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(store.name)]


def test_a_file_checked_first_is_opened_once(
    run: Run, tmp_path: Path, forks: list[ForkedCheck], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A native file into a registry not made yet may be an export to restore, so it is
    checked first: from the stream opened to decide that, not from the file sniffed again."""
    opened: list[Path] = []
    real = importers.stream

    def counted(path: Path, *args: object, **kwargs: bool) -> DeclarationStream:
        opened.append(Path(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importers, "stream", counted)
    document = tmp_path / "departments.json"
    departments = [{"code": catalogue.PROVIDER[1], "name": catalogue.PROVIDER[0]}]
    document.write_text(json.dumps({"version": 1, "departments": departments}, ensure_ascii=False), encoding="utf-8")
    result = run("import", str(document))
    assert result.exit_code == 0, result.output
    assert opened == [document] and forks == []
    assert summary(result.output, document.name)["created"] == 1
