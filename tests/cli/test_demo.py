"""The demo loads through the ordinary import path, says what it found, and is idempotent."""

from registry import demo
from tests.cli.conftest import Run, counts, summary


def test_demo_loads_and_reports(run: Run) -> None:
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "What the registry found" in result.output
    total = summary(result.output)
    assert total["created"] > 1000 and total["rejected"] == 0
    stats = counts(run("stats").output)
    assert stats["Department"] == 11
    assert stats["System"] >= 25
    assert stats["Dataset"] >= 60
    assert stats["SHARED_WITH"] > 0 and stats["DERIVED_FROM"] > 0 and stats["NEEDS"] > 0


def test_demo_twice_changes_nothing(run: Run) -> None:
    assert run("demo").exit_code == 0
    again = run("demo")
    assert again.exit_code == 0, again.output
    total = summary(again.output)
    assert total["created"] == 0 and total["updated"] == 0 and total["retired"] == 0
    assert total["unchanged"] > 1000


def test_importing_the_demo_files_twice_reports_nothing_new(run: Run) -> None:
    files = [str(p) for p in demo.files()]
    first = run("import", *files)
    assert first.exit_code == 0, first.output
    assert summary(first.output)["created"] > 1000
    second = run("import", *files)
    assert second.exit_code == 0, second.output
    for path in demo.files():
        row = summary(second.output, path.name)
        assert row["created"] == 0 and row["updated"] == 0, (path.name, row)


def test_demo_covers_every_network_and_layout() -> None:
    names = [p.name for p in demo.files()]
    assert names[-1] == "registry.yaml"
    assert any(n.endswith(".xlsx") for n in names)
    text = (demo.DEMO_DIR / "registry.yaml").read_text(encoding="utf-8")
    for network in ("network: intranet", "network: extranet", "network: private"):
        assert network in text
