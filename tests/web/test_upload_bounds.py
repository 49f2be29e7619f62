"""A hostile upload costs the server nothing it needs (issue 11, item 1): the caller's
permission is checked before the file is read, the file is read in a bounded child
process off the event loop, and ``/health`` keeps answering within a second while the
upload is being refused."""

import json
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from registry.graphql import Limits
from registry.service import RegistryService
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore
from tests.graphql.conftest import build_registry, make_tokens
from tests.importers.conftest import FIXTURES
from tests.importers.hostile import CORPUS

MUTATION = """mutation($file: Upload!) { importCatalogue(file: $file) { written rejected } }"""


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    build_registry(service)
    return service


def _form(name: str, content: bytes) -> dict[str, Any]:
    return {
        "data": {
            "operations": json.dumps({"query": MUTATION, "variables": {"file": None}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        "files": {"0": (name, content, "application/octet-stream")},
    }


def _app(service: RegistryService, tmp_path: Path, **settings: Any) -> tuple[Any, dict[str, str]]:
    tokens = TokenStore(tmp_path / "tokens.json")
    issued = make_tokens(tokens)
    return create_app(service, tokens, WebSettings(max_body_bytes=32 * 1024 * 1024, **settings)), issued


def test_health_answers_within_a_second_while_a_hostile_upload_is_refused(
    loaded: RegistryService, tmp_path: Path
) -> None:
    app, issued = _app(loaded, tmp_path)
    name = "rows-too-many.csv"
    bomb = CORPUS[name]()
    before = loaded.store.version()

    async def scenario() -> tuple[httpx2.Response, list[float]]:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://registry.test", timeout=120) as client:
            answers: dict[str, httpx2.Response] = {}

            async def upload() -> None:
                headers = {"Authorization": f"Bearer {issued['editor_ga']}"}
                answers["upload"] = await client.post("/graphql", headers=headers, **_form(name, bomb))

            pings: list[float] = []
            async with anyio.create_task_group() as group:
                group.start_soon(upload)
                await anyio.sleep(0.05)
                while "upload" not in answers:
                    started = time.monotonic()
                    health = await client.get("/health")
                    pings.append(time.monotonic() - started)
                    assert health.status_code == 200
                    await anyio.sleep(0.05)
            return answers["upload"], pings

    response, pings = anyio.run(scenario)
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT", body
    assert name in body["errors"][0]["message"] and "refused" in body["errors"][0]["message"]
    assert "Traceback" not in response.text and "/tmp" not in response.text
    assert pings, "the upload was still being read while /health was asked"
    assert max(pings) < 1.0, pings
    assert loaded.store.version() == before


def test_an_upload_that_overruns_its_time_is_stopped(loaded: RegistryService, tmp_path: Path) -> None:
    """A real catalogue of 60,000 rows (seconds of reading) against a limit of 1 ms: a
    one-line file, as this test once sent, could be read before a busy parent even
    began to wait, and the test failed on a loaded machine."""
    app, issued = _app(loaded, tmp_path, limits=Limits(upload_seconds=0.001))
    head, *rows = (FIXTURES / "zj_scjg_catalogue.csv").read_text(encoding="utf-8").splitlines()
    catalogue = "\n".join([head, *rows * (60_000 // len(rows))]).encode()

    async def scenario() -> httpx2.Response:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://registry.test", timeout=60) as client:
            headers = {"Authorization": f"Bearer {issued['editor_ga']}"}
            return await client.post("/graphql", headers=headers, **_form("目录.csv", catalogue))

    body = anyio.run(scenario).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "longer than" in body["errors"][0]["message"]


@pytest.mark.parametrize("who", [None, "public", "reviewer"])
def test_a_caller_who_may_not_write_never_reaches_the_parser(
    loaded: RegistryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, who: str | None
) -> None:
    import registry.importers.isolated as isolated

    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the upload was parsed before the permission check")

    monkeypatch.setattr(isolated, "read_isolated", never)
    app, issued = _app(loaded, tmp_path, public_view=True)

    async def scenario() -> httpx2.Response:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://registry.test") as client:
            headers = {"Authorization": f"Bearer {issued[who]}"} if who else {}
            return await client.post(
                "/graphql", headers=headers, **_form("bomb.xlsx", CORPUS["merge-bomb-full-sheet.xlsx"]())
            )

    body = anyio.run(scenario).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
