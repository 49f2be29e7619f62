"""The documentation travels with the code: every relative link in the README and docs/
points at a file in this repository, and the catalogue column guide names every column
the template writes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "bench").glob("*.md"))]


def test_every_relative_link_resolves_inside_the_repository() -> None:
    broken = []
    for document in _documents():
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue  # http(s), mailto: not a file of ours
            resolved = (document.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{document.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_nothing_points_at_the_design_notes_outside_the_clone() -> None:
    for path in [*ROOT.glob("registry/**/*.py"), *_documents()]:
        assert "shared/DESIGN" not in path.read_text(encoding="utf-8"), path


def test_column_guide_lists_every_template_column() -> None:
    from registry.importers.template import GUIDE, header

    guide = (ROOT / "docs" / "catalogue-columns.md").read_text(encoding="utf-8")
    missing = [header(g) for g in GUIDE if f"| {header(g)} |" not in guide]
    assert not missing, missing
