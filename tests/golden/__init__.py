"""Golden files: outputs checked against committed JSON, so a change in what an importer
declares or what the demo's analyses find is a diff a reviewer reads, not a silent drift.

``check(name, data)`` compares ``data`` with ``tests/golden/<name>.json``. To accept a
change on purpose, regenerate and review the diff::

    REGISTRY_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/importers/test_golden.py tests/analysis/test_golden.py
    git diff tests/golden/
"""

import json
import os
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).parent
REGENERATE = os.environ.get("REGISTRY_REGEN_GOLDEN") == "1"


def _text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def check(name: str, data: Any) -> None:
    path = GOLDEN_DIR / f"{name}.json"
    text = _text(data)
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}; create it with REGISTRY_REGEN_GOLDEN=1"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == expected, (
        f"{path.name} differs from the output; if the change is intended, regenerate with "
        "REGISTRY_REGEN_GOLDEN=1 and review `git diff tests/golden/`"
    )
