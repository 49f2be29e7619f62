"""The demo's planted policy cases, as listed in its README, are exactly what
``registry check`` finds for the policy rules."""

import json
import re

import pytest
from click.testing import CliRunner

from registry import demo
from registry.cli import main

AS_OF = "2026-11-30"
POLICY_SECTIONS = ("projects", "requests", "sources")
"""Sections of ``check --json`` holding policy findings; each finding names its ``subject``."""


def planted() -> set[tuple[str, str]]:
    text = (demo.DEMO_DIR / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| ((?:PRJ|REQ|SRC)-\d) \| `([^`]+)` \|", text, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("demo") / "registry.db")
    assert CliRunner().invoke(main, ["--store", path, "demo"]).exit_code == 0
    return path


@pytest.fixture(scope="module")
def checked(store: str) -> dict[str, list[dict]]:
    result = CliRunner().invoke(main, ["--store", store, "check", "--json", "--as-of", AS_OF])
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


def test_every_planted_case_and_nothing_else(checked: dict[str, list[dict]]) -> None:
    found = {(f["rule"], f["subject"]) for section in POLICY_SECTIONS for f in checked[section]}
    expected = planted()
    assert {rule for rule, _ in expected} == {
        f"{kind}-{n}" for kind, top in (("PRJ", 4), ("REQ", 4), ("SRC", 3)) for n in range(1, top + 1)
    }
    assert found == expected


def test_each_finding_cites_its_source(checked: dict[str, list[dict]]) -> None:
    for section in POLICY_SECTIONS:
        for finding in checked[section]:
            assert finding["source"].startswith("《") and finding["clause"] and finding["evidence"]


def test_open_and_overdue_requests_are_listed(store: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--store", store, "requests", "--json", "--as-of", AS_OF])
    assert result.exit_code == 1  # something is overdue
    rows = {r["request"]: r for r in json.loads(result.output)}
    assert set(rows) == {"ZJDATA-SQ-2026-0915", "GDNR-SQ-2026-0701", "ZJPSD-SQ-2026-1102"}
    assert rows["ZJDATA-SQ-2026-0915"]["stage"] == "awaiting_reply"
    assert rows["ZJDATA-SQ-2026-0915"]["due"] == "2026-09-29"
    assert rows["GDNR-SQ-2026-0701"]["stage"] == "awaiting_delivery" and all(r["overdue"] for r in rows.values())
    # a province allowing 60 working days to reply: the September request is no longer overdue
    lenient = runner.invoke(
        main, ["--store", store, "requests", "--json", "--overdue", "--as-of", AS_OF, "--reply-days", "60"]
    )
    assert "ZJDATA-SQ-2026-0915" not in {r["request"] for r in json.loads(lenient.output)}
    table = runner.invoke(
        main, ["--store", store, "requests", "--as-of", AS_OF], env={"COLUMNS": "250", "REGISTRY_LANG": "zh"}
    )
    assert "待答复" in table.output and "逾期" in table.output


def test_a_day_beyond_the_calendar_is_a_clear_error(store: str) -> None:
    result = CliRunner().invoke(main, ["--store", store, "check", "--as-of", "2199-01-04"])
    assert result.exit_code != 0 and "chinesecalendar" in result.output and "Traceback" not in result.output
