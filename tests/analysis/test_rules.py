"""docs/policy-rules.md documents every rule the analyses cite, and only those."""

import re
from pathlib import Path

from registry.analysis.rules import RULES

DOC = Path(__file__).parents[2] / "docs" / "policy-rules.md"


def test_every_rule_is_documented_with_its_source() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ((?:PRJ|REQ|SRC)-\d) \|", text, flags=re.MULTILINE))
    assert documented == set(RULES)
    for rule in RULES.values():
        for instrument in re.findall(r"《[^》]+》", rule.source):
            assert instrument in text, (rule.id, instrument)
