"""``registry --store bolt://… import`` of a native file whose only error is in its last
section writes nothing on Neo4j, although Neo4j commits a load part by part: the file is
checked whole before its first part is written."""

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from registry.cli import main
from registry.store.neo4j import Neo4jStore

FIXTURE = Path(__file__).parents[1] / "importers" / "fixtures" / "zj_registry.yaml"


def test_a_native_file_with_an_error_at_its_end_writes_nothing(
    bolt_store: Neo4jStore, bolt_url: str, tmp_path: Path
) -> None:
    doc = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    doc["needs"][0]["for_element"] = "DE09999"  # needs come last: every part before them is clean
    bad = tmp_path / "浙江省目录.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    before = bolt_store.version()

    result = CliRunner().invoke(main, ["--store", bolt_url, "import", str(bad)], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "needs[0]" in result.output and "DE09999" in result.output
    assert bolt_store.version() == before
    assert bolt_store.label_counts() == {} and bolt_store.open_loads() == []

    good = CliRunner().invoke(main, ["--store", bolt_url, "import", "--skip-invalid", str(bad)], env={"COLUMNS": "200"})
    assert good.exit_code == 0, good.output
    assert bolt_store.count_nodes("Dataset") == len(doc["datasets"]) and bolt_store.open_loads() == []
