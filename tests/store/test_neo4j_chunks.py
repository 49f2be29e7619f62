"""What only a store that commits each chunk must show (Neo4j, on a real Bolt server): a
load that dies midway keeps its committed chunks, retires nothing and stays open; running
the same file again reaches the end state of an uninterrupted load and closes it. A load
made for a version (``at_version``) checks it again in every chunk's transaction, so
another program's write between two commits stops it before its next one."""

from collections.abc import Iterator

import pytest

from registry.schema.records import ChangeSet, NodeRef, NodeWrite, Provenance
from registry.store.base import StoreMoved
from registry.store.neo4j import Neo4jStore
from tests.store.test_chunks import OLD, chunk, dataset, department
from tests.store.test_contract import DEPT, prov


def run(batch: str) -> Provenance:
    """One run of an import of the same file."""
    return Provenance(source="公安厅.csv", batch=batch, by="测试员", at=f"2026-03-01T08:00:0{batch[-1]}+00:00")


class Killed(Exception):
    """Stands for the process dying between two chunks."""


def _file(store: Neo4jStore, stop_after: int | None = None) -> Iterator[ChangeSet]:
    """A department's catalogue listing datasets 1..4 (no longer 9), read part by part."""
    yield department()
    for n in range(1, 5):
        if stop_after is not None and n > stop_after:
            raise Killed
        yield chunk(n)


def _retire_unlisted(store: Neo4jStore):  # type: ignore[no-untyped-def]
    def finish(_result):  # type: ignore[no-untyped-def]
        listed = {e.dst for e in store.edges([DEPT], types=["PROVIDES"])}
        wanted = {dataset(n) for n in range(1, 5)}
        return ChangeSet(
            retire_nodes=sorted(listed - wanted),
            record=NodeWrite("ImportBatch", "load", {"id": "load", "source": "公安厅.csv", "format": "catalogue"}),
        )

    return finish


def _state(store: Neo4jStore) -> tuple[object, ...]:
    nodes = [(n.ref, n.props, n.retired) for n in store.iter_nodes(include_retired=True) if n.label != "ImportBatch"]
    edges = [(e.ref, e.props, e.retired) for e in store.iter_edges(include_retired=True)]
    return nodes, edges


def _seed(store: Neo4jStore) -> None:
    store.apply(ChangeSet(nodes=department().nodes + chunk(9).nodes, edges=chunk(9).edges), prov("b0"))


def test_a_killed_load_keeps_its_chunks_retires_nothing_and_is_open(bolt_store: Neo4jStore) -> None:
    _seed(bolt_store)
    with pytest.raises(Killed):
        bolt_store.apply_chunks(_file(bolt_store, stop_after=2), run("b1"), _retire_unlisted(bolt_store))
    assert set(bolt_store.get_nodes("Dataset", [dataset(n).key for n in range(1, 5)])) == {
        dataset(1).key,
        dataset(2).key,
    }
    assert bolt_store.get_nodes("Dataset", [OLD.key]), "retired before the file was complete"
    assert bolt_store.get_nodes("ImportBatch", ["load"]) == {}
    assert [p.batch for p in bolt_store.open_loads()] == ["b1"]


def test_running_the_file_again_completes_the_load(bolt_store: Neo4jStore) -> None:
    _seed(bolt_store)
    with pytest.raises(Killed):
        bolt_store.apply_chunks(_file(bolt_store, stop_after=2), run("b1"), _retire_unlisted(bolt_store))
    again = bolt_store.apply_chunks(_file(bolt_store), run("b2"), _retire_unlisted(bolt_store))
    assert again.counts["Dataset"] == {"unchanged": 2, "created": 2, "retired": 1}
    assert bolt_store.open_loads() == []
    resumed = _state(bolt_store)

    bolt_store.wipe()
    _seed(bolt_store)
    bolt_store.apply_chunks(_file(bolt_store), run("b1"), _retire_unlisted(bolt_store))
    assert _state(bolt_store) == resumed


def test_a_load_that_changes_nothing_leaves_no_batch(bolt_store: Neo4jStore) -> None:
    _seed(bolt_store)
    bolt_store.apply_chunks([department()], run("b1"))
    assert bolt_store.open_loads() == []
    history = bolt_store.history(NodeRef("Department", DEPT.key))
    assert {h.prov.batch for h in history} == {"b0"}


@pytest.mark.parametrize("after", [1, 4])
def test_another_programs_write_between_commits_stops_the_load_before_its_next(
    bolt_store: Neo4jStore, bolt_url: str, after: int
) -> None:
    """After chunk ``after`` (1: between two chunks; 4: the last, before the final step),
    another program classifies dataset 2 and renames the department. The load, made for
    the version its caller's checks saw, writes nothing after that: not chunk 2 over the
    classified dataset, not the later chunks, not the retirement of dataset 9. What it
    committed before stays, and the load is open until it is run again."""
    _seed(bolt_store)
    seen = bolt_store.version()
    other = Neo4jStore.from_url(bolt_url)
    classified = {"resource_code": dataset(2).key, "name": "人口信息2", "secrecy_level": "secret"}

    def meanwhile() -> Iterator[ChangeSet]:
        for n, part in enumerate(_file(bolt_store)):
            yield part
            if n == after:
                other.apply(
                    ChangeSet(
                        nodes=[
                            NodeWrite("Dataset", dataset(2).key, classified),
                            NodeWrite("Department", DEPT.key, {"name": "浙江省公安厅（机关）"}),
                        ]
                    ),
                    prov("other"),
                )

    try:
        with pytest.raises(StoreMoved):
            bolt_store.apply_chunks(meanwhile(), run("b1"), _retire_unlisted(bolt_store), at_version=seen)
    finally:
        other.close()
    stored = bolt_store.get_nodes("Dataset", [dataset(n).key for n in (1, 2, 3, 4)])
    assert set(stored) == {dataset(n).key for n in range(1, after + 1)} | {dataset(2).key}
    assert stored[dataset(2).key].props == classified
    assert bolt_store.get_nodes("Department", [DEPT.key])[DEPT.key].props["name"] == "浙江省公安厅（机关）"
    assert bolt_store.get_nodes("Dataset", [OLD.key]), "retired after another program wrote"
    assert [p.batch for p in bolt_store.open_loads()] == ["b1"]
