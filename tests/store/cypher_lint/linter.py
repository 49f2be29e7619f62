"""Runs Neo4j's own Cypher front end (``@neo4j-cypher/language-support``) over statements.

The npm package is installed from this folder's package.json and package-lock.json (exact
version pinned) the first time it is needed, under a file lock so parallel test workers do
not install twice; node_modules stays here, gitignored, for later runs.
"""

import fcntl
import json
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TOOL = Path(__file__).resolve().parent
PACKAGE = "@neo4j-cypher/language-support"
UNDECLARED_PARAMETER = ("Parameter $", " is not defined.")
WORKERS = 2


@dataclass(frozen=True)
class Diagnostic:
    severity: int
    message: str
    offset: int | None

    @property
    def undeclared_parameter(self) -> bool:
        """The linter is given no parameter declarations, so every ``$name`` is reported;
        that is expected, everything else is a finding."""
        return self.message.startswith(UNDECLARED_PARAMETER[0]) and self.message.endswith(UNDECLARED_PARAMETER[1])


def missing_tools() -> str | None:
    absent = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return f"{' and '.join(absent)} not installed: Neo4j's Cypher linter runs on Node.js" if absent else None


def pinned_version() -> str:
    return json.loads((TOOL / "package.json").read_text(encoding="utf-8"))["dependencies"][PACKAGE]


def installed_version() -> str | None:
    manifest = TOOL / "node_modules" / PACKAGE / "package.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.exists() else None


def install() -> None:
    """``npm ci`` from the lock file unless the pinned version is already there."""
    with open(TOOL / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_version() == pinned_version():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=TOOL,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm ci failed in {TOOL}:\n{done.stderr[-2000:]}")


def _lint_part(statements: Sequence[str]) -> list[list[Diagnostic]]:
    done = subprocess.run(
        ["node", str(TOOL / "lint.mjs")],
        input=json.dumps(list(statements)),
        cwd=TOOL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Cypher linter failed:\n{done.stderr[-2000:]}")
    return [[Diagnostic(d["severity"], d["message"], d["offset"]) for d in found] for found in json.loads(done.stdout)]


def lint(statements: Sequence[str]) -> list[list[Diagnostic]]:
    """Diagnostics per statement, in order; the work is split over two node processes."""
    size = max(1, -(-len(statements) // WORKERS))
    parts = [statements[i : i + size] for i in range(0, len(statements), size)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(_lint_part, parts))
    return [found for part in results for found in part]


def findings(statements: Sequence[str]) -> dict[str, list[Diagnostic]]:
    """Statements with a diagnostic other than an undeclared parameter."""
    report = lint(statements)
    out: dict[str, list[Diagnostic]] = {}
    for statement, found in zip(statements, report, strict=True):
        real = [d for d in found if not d.undeclared_parameter]
        if real:
            out[statement] = real
    return out
