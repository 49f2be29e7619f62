"""What the Neo4j store decides before it talks to a server: connection settings, the closed
set of labels and types, and a clear error when no server answers. Its behaviour against a
server is the contract suite's job (test_contract.py, with NEO4J_URI)."""

import json
import socket
from datetime import date

import pytest

from registry.store import StoreError, cypher, open_store
from registry.store.neo4j import DEFAULT_BATCH_SIZE, Neo4jSettings, Neo4jStore, _node_row


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


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_server_is_a_one_line_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    port = _closed_port()
    with pytest.raises(StoreError, match=rf"cannot reach Neo4j at bolt://127\.0\.0\.1:{port}:") as caught:
        open_store(f"bolt://127.0.0.1:{port}")
    assert "\n" not in str(caught.value)


def test_no_server_error_names_user_and_database_from_the_environment_not_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the neo4j workflow runs it: NEO4J_USER / NEO4J_DATABASE set (the test above once
    failed there because it expected the bare URL)."""
    monkeypatch.setenv("NEO4J_USER", "registry")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret")
    monkeypatch.setenv("NEO4J_DATABASE", "ci")
    port = _closed_port()
    with pytest.raises(StoreError) as caught:
        open_store(f"bolt://127.0.0.1:{port}")
    message = str(caught.value)
    assert message.startswith(f"cannot reach Neo4j at bolt://registry@127.0.0.1:{port}?database=ci:")
    assert "s3cret" not in message and "\n" not in message


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


class _Recorder:
    """Stands in for a transaction: records what would be sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, object]]] = []

    def run(self, statement: str, params: dict[str, object]) -> "_Recorder":
        self.sent.append((statement, params))
        return self

    def data(self) -> list[dict[str, object]]:
        return []


def test_store_refuses_a_statement_outside_the_catalogue() -> None:
    recorder = _Recorder()
    with pytest.raises(RuntimeError, match=r"not in registry\.store\.cypher's catalogue"):
        Neo4jStore._run(recorder, "MATCH (n) DETACH DELETE n")  # type: ignore[arg-type]
    assert recorder.sent == []


def test_a_parameter_may_be_called_text_or_statement() -> None:
    """``find_nodes`` / ``count_nodes`` send a ``text`` parameter; it once collided with
    ``_run``'s own argument name and every search failed before reaching the server."""
    recorder = _Recorder()
    params = Neo4jStore._filters(None, "人口", ())
    Neo4jStore._run(recorder, cypher.node_count("System", True), **params, statement="x")  # type: ignore[arg-type]
    assert recorder.sent == [(cypher.node_count("System", True), {**params, "statement": "x"})]


def test_properties_are_kept_as_json_with_scalar_copies_for_filters() -> None:
    props = {
        "code": "ZJ-RK-01",
        "name": "人口信息管理系统",
        "functions": ["户籍登记", "人口统计"],
        "public_service": False,
        "mlps_level": 3,
        "approvals": [{"on": "2024-01-01", "by": "发改委"}],
        "mixed": [1, 2.5],
        "description": None,
    }
    row = _node_row("System", "ZJ-RK-01", props, "b1", "b2", False)
    stored = row["props"]
    assert json.loads(stored["_props"]) == props
    assert stored["key"] == "ZJ-RK-01" and stored["_search"] == "人口信息管理系统"
    assert (stored["_created"], stored["_updated"], stored["_retired"]) == ("b1", "b2", False)
    assert stored["functions"] == ["户籍登记", "人口统计"] and stored["mlps_level"] == 3
    assert stored["public_service"] is False
    for not_storable in ("approvals", "mixed", "description"):
        assert not_storable not in stored


def test_property_names_of_the_store_are_not_overwritten_by_copies() -> None:
    row = _node_row("Need", "N-1", {"purpose": "核验身份", "key": "other", "_retired": True}, "b1", "b1", False)
    assert row["props"]["key"] == "N-1" and row["props"]["_retired"] is False
    assert row["props"]["_search"] == "核验身份"


def test_filters_on_the_store_own_names_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot filter on '_retired'"):
        Neo4jStore._filters({"_retired": True}, None, ())
    params = Neo4jStore._filters({"published_on": date(2024, 5, 1)}, "人口", ["X"])
    assert params == {"where": {"published_on": "2024-05-01"}, "text": "人口", "exclude": ["X"]}
    assert "text" not in Neo4jStore._filters(None, None, ())


def test_out_of_memory_is_not_retried_and_says_what_to_change() -> None:
    """Neo4j reports a full transaction memory pool as a transient error, which the driver
    retries; the same write can never fit, so the store stops at the first one."""
    from neo4j.exceptions import DriverError, Neo4jError

    from registry.store.neo4j import _ErrorTranslation, _no_retry_out_of_memory

    calls: list[int] = []

    def work(_tx: object) -> None:
        calls.append(1)
        raise Neo4jError._hydrate_neo4j(
            code="Neo.TransientError.General.MemoryPoolOutOfMemoryError",
            message="The allocation of an extra 2.0 MiB would use more than the limit 2.0 GiB.",
        )

    guarded = _no_retry_out_of_memory(work)
    with pytest.raises(Exception) as raw:
        guarded(None)  # type: ignore[arg-type]
    # the driver's execute_write retries only Neo4jError / DriverError that say so
    assert not isinstance(raw.value, Neo4jError | DriverError)
    translated = pytest.raises(StoreError, match=r"ran out of memory .* lower \?batch_size=")
    with translated as caught, _ErrorTranslation("bolt://127.0.0.1:7687"):
        guarded(None)  # type: ignore[arg-type]
    assert calls == [1, 1]
    assert not isinstance(caught.value.__cause__, Neo4jError) and "\n" not in str(caught.value)
