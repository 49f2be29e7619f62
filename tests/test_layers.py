"""The import rules of pyproject.toml ([tool.importlinter]) hold for the package: layers
import downward only, only the service and the store opener import the store, analyses
import neither the service nor the store."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the ``registry`` package found under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    run = "import sys; from importlinter.cli import lint_imports_command as lint; sys.exit(lint())"
    command = [sys.executable, "-c", run]
    return subprocess.run(
        [*command, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_package_keeps_its_import_rules() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_analysis_reaching_for_the_store_breaks_them(tmp_path: Path) -> None:
    """The contracts bite: the same check on a copy where an analysis imports the store."""
    shutil.copytree(ROOT / "registry", tmp_path / "registry", ignore=shutil.ignore_patterns("static", "*.pyc"))
    findings = tmp_path / "registry" / "analysis" / "findings.py"
    findings.write_text(findings.read_text(encoding="utf-8") + "\nfrom registry.store.base import Store\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "registry.analysis.findings -> registry.store.base" in result.stdout
