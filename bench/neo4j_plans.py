"""EXPLAIN plans of the Neo4j store's hot statements, to see which index each one starts from.

Run: ``python -m bench.neo4j_plans --store bolt://…`` (the demo registry is loaded first if
the database is empty). Each statement comes from ``registry.store.cypher``'s catalogue,
with the parameters the store sends; EXPLAIN plans without running anything. Neo4j 5
answers with its planner's operator tree (the neo4j workflow prints it); ArcadeDB's Bolt
server answers with its own planner's text. docs/neo4j.md keeps a captured run.
"""

import argparse
from typing import Any

from registry import demo
from registry.importers import read
from registry.service import Caller, RegistryService
from registry.store import cypher
from registry.store.neo4j import META_ID, Neo4jStore

DS = "206100000/005"


def hot_statements() -> list[tuple[str, str, dict[str, Any]]]:
    """(what it serves, statement, parameters) for the reads every page and import makes."""
    live = {"where": {}, "exclude": [], "after": "", "limit": 50}
    return [
        ("list page (GraphQL datasets, first 50)", cypher.node_find("Dataset", False, True), live),
        ("search page (datasets, search: 人口)", cypher.node_find("Dataset", True, True), {**live, "text": "人口"}),
        ("list count", cypher.node_count("Dataset", False), {"where": {}, "exclude": []}),
        ("search count", cypher.node_count("Dataset", True), {"where": {}, "exclude": [], "text": "人口"}),
        ("lookup by key", cypher.node_get("Dataset"), {"keys": [DS], "include_retired": False}),
        (
            "edges of a page, typed",
            cypher.node_edges("Dataset", "out", True),
            {
                "rows": [{"i": 0, "key": DS}],
                "types": ["HAS_FIELD"],
            },
        ),
        ("edges of a page, any type", cypher.node_edges("Dataset", "out", False), {"rows": [{"i": 0, "key": DS}]}),
        ("history of a node", cypher.HISTORY_FOR, {"label": "Dataset", "key": DS}),
        ("history page (export)", cypher.HISTORY_PAGE, {"after": 0, "limit": 5000}),
        ("node page (projection)", cypher.node_page("Field"), {"after": "", "include_retired": False, "limit": 5000}),
        (
            "edge page (projection)",
            cypher.edge_page(("HAS_FIELD", "Dataset", "Field")),
            {
                "after": "",
                "include_retired": False,
                "limit": 5000,
            },
        ),
        ("import: existing nodes", cypher.node_existing("Field"), {"keys": [f"{DS}#纳税人识别号"]}),
        ("import: upsert nodes", cypher.node_upsert("Field"), {"rows": [{"key": "x", "props": {"key": "x"}}]}),
        (
            "import: upsert edges",
            cypher.edge_upsert(("HAS_FIELD", "Dataset", "Field")),
            {
                "rows": [{"src": DS, "dst": "x", "props": {}}],
            },
        ),
        ("lock and version", cypher.LOCK, {"id": META_ID}),
    ]


def _operators(plan: dict[str, Any], depth: int = 0) -> list[str]:
    """Neo4j's operator tree, one line per operator; ArcadeDB's plan is already text."""
    args = plan.get("args", {})
    if "string-representation" in args and plan.get("operatorType", "").startswith("ArcadeDB"):
        return [line for line in str(args["string-representation"]).splitlines() if line.strip()]
    detail = args.get("Details", "")
    lines = [f"{'  ' * depth}{plan.get('operatorType', '?')}  {detail}".rstrip()]
    for child in plan.get("children", []):
        lines += _operators(child, depth + 1)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a bolt:// or neo4j:// URL")
    args = parser.parse_args()
    store = Neo4jStore.from_url(args.store)
    try:
        if not store.label_counts():
            service = RegistryService(store)
            for path in demo.files():
                service.load(read(path), Caller.system("plans"))
        print(f"# EXPLAIN plans on {store.server_agent} ({store.url})\n")
        for what, statement, params in hot_statements():
            print(f"## {what}\n\n```\n{statement}\n```\n\n```")
            print("\n".join(_operators(store.plan(statement, **params))))
            print("```\n")
    finally:
        store.close()


if __name__ == "__main__":
    main()
