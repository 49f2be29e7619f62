"""``registry export --format``: graph files with the counts ``registry stats`` shows, what a
lower clearance left out said as counts, and bad targets refused with a reason."""

from pathlib import Path

import networkx as nx

from tests.cli.conftest import Run, counts


def test_graphml_from_the_cli_has_the_stats_counts(run: Run, tmp_path: Path) -> None:
    assert run("demo").exit_code == 0
    stats = counts(run("stats").output)
    target = tmp_path / "registry.graphml"
    result = run("--lang", "en", "export", "--format", "graphml", str(target))
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(target)
    nodes = sum(n for kind, n in stats.items() if not kind.isupper() and kind not in ("total", "ImportBatch"))
    edges = sum(n for kind, n in stats.items() if kind.isupper())
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)
    assert f"{nodes} entries, {edges} relations" in result.output


def test_a_lower_clearance_says_what_it_left_out(run: Run, tmp_path: Path) -> None:
    assert run("demo").exit_code == 0
    result = run("--lang", "en", "export", "--format", "cytoscape", str(tmp_path / "p.cyjs"), "--clearance", "public")
    assert result.exit_code == 0, result.output
    assert "left out for clearance public:" in result.output


def test_bad_targets_and_departments_are_refused(run: Run, tmp_path: Path) -> None:
    assert run("demo").exit_code == 0
    wrong = run("--lang", "en", "export", "--format", "gexf", str(tmp_path / "x.json"))
    assert wrong.exit_code == 2 and "name a gexf file .gexf" in wrong.output
    unknown = run("--lang", "en", "export", "--format", "gexf", str(tmp_path / "x.gexf"), "--department", "X")
    assert unknown.exit_code == 1 and "no department with code X" in unknown.output
