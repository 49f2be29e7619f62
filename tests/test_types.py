"""The type hints are checked, not only written: ``mypy --strict`` on registry/ passes
([tool.mypy] in pyproject.toml; it runs as part of the suite, so .ci/run checks it too)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_strict_passes_on_the_package() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        "mypy --strict found type errors; run `.venv/bin/mypy` and fix them (third-party "
        "modules without types get a per-module override in pyproject.toml):\n" + result.stdout + result.stderr
    )
