"""Every Cypher statement the Neo4j store can send passes Neo4j's own front end.

No Neo4j server runs here, so the statements are checked by the parser and semantic
analysis Neo4j ships for its editors (``@neo4j-cypher/language-support``): syntax errors,
undefined variables, deprecated syntax. Only "parameter not declared" is tolerated, since
the linter is not told the parameters.
"""

import re

import pytest

from registry.schema.model import EDGE_SPECS, NODE_MODELS
from registry.store import cypher
from tests.store.cypher_lint import linter


@pytest.fixture(scope="session")
def installed() -> None:
    reason = linter.missing_tools()
    if reason:
        pytest.skip(reason)
    linter.install()


def test_every_statement_passes_neo4j_front_end(installed: None) -> None:
    statements = sorted(cypher.catalogue())
    found = linter.findings(statements)
    shown = "\n\n".join(f"{s}\n  -> " + "\n  -> ".join(d.message for d in ds) for s, ds in found.items())
    assert not found, f"{len(found)} of {len(statements)} statements have Cypher diagnostics:\n\n{shown}"


KNOWN_BAD = {
    # a typo in a variable name: `rows` is the parameter, `row` the variable
    "UNWIND $rows AS row MERGE (n:Department {key: row.key}) SET n = rows.props": "Variable `rows` not defined",
    # an unclosed node pattern
    "UNWIND $keys AS key MATCH (n:Dataset {key: key} WHERE NOT n._retired RETURN n.key": "Invalid input",
    # pre-5 syntax the server no longer accepts
    "CREATE CONSTRAINT ON (n:Field) ASSERT n.key IS UNIQUE": "ON and ASSERT should not be used",
    # returning a variable bound only inside the aggregation's scope
    "MATCH (n:System) WITH count(n) AS c RETURN n.key": "Variable `n` not defined",
}


def test_linter_catches_real_mistakes(installed: None) -> None:
    statements = list(KNOWN_BAD)
    found = linter.findings(statements)
    for statement, expected in KNOWN_BAD.items():
        messages = [d.message for d in found.get(statement, [])]
        assert any(expected in m for m in messages), f"{statement!r} not flagged as {expected!r}: {messages}"


def test_undeclared_parameters_alone_are_tolerated(installed: None) -> None:
    statement = "UNWIND $keys AS key MATCH (n:Need {key: key}) RETURN n.key AS key"
    (report,) = linter.lint([statement])
    assert report and all(d.undeclared_parameter for d in report)
    assert linter.findings([statement]) == {}


def test_catalogue_covers_every_label_and_edge_type() -> None:
    text = "\n".join(cypher.catalogue())
    for name in NODE_MODELS:
        assert re.search(rf"\(n:{name}\b", text), name
    for name in EDGE_SPECS:
        assert f"[r:{name}]" in text, name
    assert len(cypher.COMBOS) == sum(len(s.sources) * len(s.targets) for s in EDGE_SPECS.values())


def test_every_natural_key_has_a_uniqueness_constraint() -> None:
    schema = "\n".join(cypher.schema_statements())
    for name in NODE_MODELS:
        assert re.search(rf"FOR \(n:{name}\) REQUIRE n\.key IS UNIQUE", schema), name


def test_no_statement_tests_a_parameter_for_null_inside_a_disjunction() -> None:
    """``$x IS NULL OR …`` keeps the planner off the index the other branch could use; each
    filter shape is its own statement instead."""
    offending = [s for s in cypher.catalogue() if re.search(r"\$\w+ IS NULL OR", s)]
    assert offending == []


def test_search_and_key_pages_are_separate_index_friendly_shapes() -> None:
    listing = cypher.node_find("Dataset", searched=False, limited=True)
    search = cypher.node_find("Dataset", searched=True, limited=True)
    assert "n.key > $after" in listing and "ORDER BY n.key LIMIT $limit" in listing and "$text" not in listing
    assert "n._search CONTAINS $text AND" in search
    assert "$types" not in cypher.node_edges("Dataset", "out", typed=False)
