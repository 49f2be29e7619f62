"""``registry stats`` on Neo4j names a load that was killed midway, and how to finish it."""

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.schema.records import ChangeSet, Provenance
from registry.store.neo4j import Neo4jStore
from tests.store.test_chunks import chunk, department


class Killed(Exception):
    """Stands for the process dying between two chunks."""


def test_stats_names_an_unfinished_load_until_the_file_is_imported_again(bolt_store: Neo4jStore, bolt_url: str) -> None:
    prov = Provenance(source="公安厅目录.csv", batch="batch-killed", by="录入员", at="2026-03-01T08:00:00+00:00")

    def parts() -> Iterator[ChangeSet]:
        yield department()
        yield chunk(1)
        raise Killed

    with pytest.raises(Killed):
        bolt_store.apply_chunks(parts(), prov)
    stats = CliRunner().invoke(main, ["--store", bolt_url, "stats"], env={"COLUMNS": "200"})
    assert stats.exit_code == 0, stats.output
    assert "unfinished load: 公安厅目录.csv (batch batch-killed" in stats.output
    assert "import the same file again" in stats.output

    bolt_store.apply_chunks(
        [department(), chunk(1), chunk(2)], Provenance("公安厅目录.csv", "batch-again", "录入员", "t")
    )
    stats = CliRunner().invoke(main, ["--store", bolt_url, "stats"], env={"COLUMNS": "200"})
    assert "unfinished" not in stats.output
