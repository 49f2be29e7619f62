"""What the Neo4j store decides before it talks to a server: connection settings, the closed
set of labels and types, and a clear error when no server answers. Its behaviour against a
server is the contract suite's job (test_contract.py, with NEO4J_URI)."""

import socket

import pytest

from registry.store import StoreError, cypher, open_store
from registry.store.neo4j import DEFAULT_BATCH_SIZE, Neo4jSettings, Neo4jStore


def test_credentials_and_database_from_the_url_win_over_the_environment() -> None:
    env = {"NEO4J_USER": "env-user", "NEO4J_PASSWORD": "env-pw", "NEO4J_DATABASE": "envdb"}
    settings = Neo4jSettings.from_url("neo4j+s://规划处:p%40ss@abc123.databases.neo4j.io?database=registry", env)
    assert settings.uri == "neo4j+s://abc123.databases.neo4j.io"
    assert (settings.user, settings.password, settings.database) == ("规划处", "p@ss", "registry")


def test_environment_fills_what_the_url_leaves_out() -> None:
    env = {"NEO4J_USER": "registry", "NEO4J_PASSWORD": "s3cret", "NEO4J_DATABASE": "test"}
    settings = Neo4jSettings.from_url("bolt://localhost:7687", env)
    assert settings.uri == "bolt://localhost:7687"
    assert (settings.user, settings.password, settings.database) == ("registry", "s3cret", "test")
    assert settings.batch_size == DEFAULT_BATCH_SIZE


def test_routing_context_is_kept_and_batch_size_read() -> None:
    settings = Neo4jSettings.from_url("neo4j://core1:7687?policy=east&batch_size=250", {})
    assert settings.uri == "neo4j://core1:7687?policy=east"
    assert settings.batch_size == 250
    assert settings.password is None


def test_the_shown_url_never_holds_the_password() -> None:
    settings = Neo4jSettings.from_url("neo4j://admin:hunter2@db.example.gov.cn:7687?database=reg", {})
    assert "hunter2" not in settings.display
    assert settings.display == "neo4j://admin@db.example.gov.cn:7687?database=reg"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://localhost:7474", "not a Neo4j URL"),
        ("bolt://", "names no host"),
        ("bolt://localhost:7687?batch_size=0", "batch_size must be a positive whole number"),
        ("bolt://localhost:7687?batch_size=many", "batch_size must be a positive whole number"),
    ],
)
def test_bad_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Neo4jSettings.from_url(url, {})


def test_no_server_is_a_one_line_store_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError, match=rf"cannot reach Neo4j at bolt://127\.0\.0\.1:{port}") as caught:
        open_store(f"bolt://127.0.0.1:{port}")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "hostile", ["Department) DETACH DELETE (x", "Department`:Admin", "_Meta", "department", "Field {key: 1}"]
)
def test_labels_outside_the_schema_never_reach_cypher(hostile: str) -> None:
    with pytest.raises(ValueError, match="unknown node label"):
        cypher.node_upsert(hostile)


def test_edge_types_and_endpoints_outside_the_schema_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown edge type"):
        cypher.edge_live_count("OPERATES]->() DETACH DELETE r //")
    with pytest.raises(ValueError, match="cannot go from System to System"):
        cypher.edge_upsert(("OPERATES", "System", "System"))


def test_store_refuses_a_statement_outside_the_catalogue() -> None:
    class Recorder:
        def run(self, text: str, params: dict[str, object]) -> None:
            raise AssertionError("must not be sent")

    with pytest.raises(RuntimeError, match=r"not in registry\.store\.cypher's catalogue"):
        Neo4jStore._run(Recorder(), "MATCH (n) DETACH DELETE n")  # type: ignore[arg-type]
