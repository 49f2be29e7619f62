"""The deployment files are valid and say what the README promises. Compose files can be
checked without a Docker engine: ``docker-compose config`` parses, interpolates and rejects
unknown keys offline."""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def _config(env_file: Path, *, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed: compose file not validated")
    args = [*command, "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), "config"]
    return subprocess.run([*args, "-q"] if quiet else args, capture_output=True, text=True, cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    assert _config(ROOT / ".env.example", quiet=True).returncode == 0
    done = _config(ROOT / ".env.example")
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_file_validates_with_the_example_env(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"neo4j", "registry", "demo"}


def test_neo4j_is_community_5_with_a_volume_and_a_health_check(config: dict[str, Any]) -> None:
    neo4j = config["services"]["neo4j"]
    assert neo4j["image"].startswith("neo4j:5") and "community" in neo4j["image"]
    assert any(str(v).startswith("neo4j-data:/data") for v in neo4j["volumes"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/change-me-before-use"


def test_registry_waits_for_healthy_neo4j_and_serves_on_8000(config: dict[str, Any]) -> None:
    registry = config["services"]["registry"]
    assert registry["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert registry["command"] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    assert any(str(p).startswith("127.0.0.1:8000:8000") for p in registry["ports"])
    assert registry["environment"]["REGISTRY_STORE"].startswith("bolt://neo4j:")
    assert registry["build"]["context"] == str(ROOT)
    assert any(str(v).startswith("registry-data:/data") for v in registry["volumes"])
    assert registry["environment"]["REGISTRY_TOKENS"].startswith("/data/")


def test_demo_import_is_a_one_shot_profile(config: dict[str, Any]) -> None:
    demo = config["services"]["demo"]
    assert demo["profiles"] == ["demo"] and demo["command"] == ["demo"]
    assert demo["depends_on"]["neo4j"]["condition"] == "service_healthy"


def test_a_missing_password_is_refused_with_a_hint(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    done = _config(empty, quiet=True)
    assert done.returncode != 0
    assert "copy .env.example to .env" in done.stderr


def test_compose_rejects_an_unknown_key(tmp_path: Path) -> None:
    """The check above can fail: a misspelt key is an error, not ignored."""
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    broken = tmp_path / "docker-compose.yml"
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("    healthcheck:\n", "    healthchek:\n", 1), encoding="utf-8")
    done = subprocess.run(
        [*command, "--env-file", str(ROOT / ".env.example"), "-f", str(broken), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "healthchek" in done.stderr
