"""The analysis commands on the bundled demo registry: its planted problems are found, with
evidence, in every output format."""

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = str(tmp_path_factory.mktemp("demo") / "registry.db")
    result = CliRunner().invoke(main, ["--store", store, "demo"])
    assert result.exit_code == 0, result.output
    assert "What the analyses found" in result.output
    return store


def _run(store: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--store", store, *args])
    return result.exit_code, result.output


def test_duplicate_system_found_with_evidence(demo_store: str) -> None:
    code, out = _run(demo_store, "duplicates", "--json")
    assert code == 0
    (cluster,) = json.loads(out)
    assert len(cluster["evidence"]["departments"]) == 2
    assert len(cluster["evidence"]["projects"]) == 2
    assert len(cluster["shared"]) >= 5
    assert cluster["pairs"][0]["parts"]["holdings"] > 0.5


def test_unmet_need_found(demo_store: str) -> None:
    code, out = _run(demo_store, "gaps", "--kind", "unmet_need", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(r["kind"] == "unmet_need" for r in rows)
    assert json.loads(rows[0]["evidence"])["providers"] == []


def test_classified_system_on_the_extranet_found(demo_store: str) -> None:
    code, out = _run(demo_store, "check", "--json")
    assert code == 1
    net1 = [f for f in json.loads(out)["placement"] if f["rule"] == "NET-1"]
    assert net1 and net1[0]["network"] == "extranet" and net1[0]["secrecy_level"] != "none"
    assert "intranet" in net1[0]["action"]
    code, table = _run(demo_store, "check")
    assert code == 1 and "NET-1" in table


def test_lineage_and_impact_from_the_command_line(demo_store: str) -> None:
    code, out = _run(demo_store, "duplicates", "--kind", "dataset", "--json")
    assert code == 0
    graph_keys = [m["key"] for c in json.loads(out) for m in c["members"]]
    assert all(isinstance(k, str) for k in graph_keys)
    code, out = _run(demo_store, "lineage", "no-such-key")
    assert code != 0 and "exactly one" in out and "Traceback" not in out


def test_tables_are_the_default(demo_store: str) -> None:
    code, out = _run(demo_store, "gaps")
    assert code == 0 and "sharing gaps" in out
    code, out = _run(demo_store, "gaps", "--matrix")
    assert code == 0 and "Sharing between 11 departments: 62 datasets shared" in out
    assert "1 人力资源和社会保障部" in out  # rows numbered like the columns


def test_a_proposal_file_is_checked(demo_store: str, tmp_path: Path) -> None:
    code, out = _run(demo_store, "duplicates", "--json")
    existing = json.loads(out)[0]["shared"]
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {"name": "不动产登记信息系统", "description": "不动产登记", "fields": [e["name"] for e in existing]}
        ),
        encoding="utf-8",
    )
    code, out = _run(demo_store, "duplicates", "--proposal", str(plan), "--json")
    assert code == 0 and json.loads(out), out
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    code, out = _run(demo_store, "duplicates", "--proposal", str(bad))
    assert code != 0 and "Traceback" not in out
