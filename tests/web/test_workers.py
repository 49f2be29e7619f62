"""``registry serve --workers 2``: two processes share the store and the token file and
answer alike; a token created and a write made while they run are seen by both."""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.schema.codes import make_credit_code
from tests.web.serving import free_port
from tests.web.test_serve import registry_file  # noqa: F401  (fixture)

CLI = [sys.executable, "-c", "from registry.cli import main; main()"]
DEPARTMENT = make_credit_code("11", "330000", "00257099")
UPSERT = """mutation($code: String!) { upsertDepartment(input: {code: $code, name: "浙江省民政厅",
    level: PROVINCIAL, region: "330000"}) { created } }"""


@pytest.fixture
def workers(registry_file: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:  # noqa: F811
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*CLI, "--store", str(registry_file), "serve", "--port", str(port), "--workers", "2"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):  # a loaded machine starts a worker slowly
            started = len(set(re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace"))))
            if process.poll() is not None or started >= 2:
                break
            time.sleep(0.1)
        for _ in range(100):
            try:
                if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=20)


def _token(registry_file: Path, *args: str) -> str:  # noqa: F811
    result = CliRunner().invoke(main, ["--store", str(registry_file), "token", "create", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


def test_two_workers_share_tokens_and_writes(registry_file: Path, workers: tuple[str, Path]) -> None:  # noqa: F811
    url, log = workers
    pids = set(re.findall(r"Started server process \[(\d+)\]", log.read_text(errors="replace")))
    assert len(pids) >= 2, log.read_text(errors="replace")  # the supervisor's children

    # created after the workers started: each must read the token file again
    admin = {"Authorization": f"Bearer {_token(registry_file, '--role', 'admin', '--clearance', 'top_secret')}"}
    reader = {"Authorization": f"Bearer {_token(registry_file, '--role', 'reviewer', '--clearance', 'public')}"}
    count = "{ departments { totalCount } }"
    with httpx2.Client(base_url=url, timeout=30) as client:
        before = {
            client.post("/graphql", json={"query": count}, headers=reader).json()["data"]["departments"]["totalCount"]
            for _ in range(12)
        }
        assert len(before) == 1
        written = client.post("/graphql", json={"query": UPSERT, "variables": {"code": DEPARTMENT}}, headers=admin)
        assert written.json() == {"data": {"upsertDepartment": {"created": 1}}}
        # fresh connections, so that the requests spread over the workers
        after = set()
        for _ in range(12):
            with httpx2.Client(base_url=url, timeout=30) as fresh:
                answer = fresh.post("/graphql", json={"query": count}, headers=reader).json()
                after.add(answer["data"]["departments"]["totalCount"])
    assert after == {before.pop() + 1}
