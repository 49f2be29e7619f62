"""Graph stores: the protocol, the embedded default and the Neo4j store, chosen by URL."""

from pathlib import Path

from registry.store.base import Store, StoreError

DEFAULT_STORE = "registry.db"
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def open_store(location: str | Path) -> Store:
    """A Neo4j URL selects the Neo4j store; anything else is the embedded store's file."""
    text = str(location)
    if text.startswith(NEO4J_SCHEMES):
        from registry.store.neo4j import Neo4jStore

        return Neo4jStore.from_url(text)
    from registry.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text))


def remove_file(location: str | Path) -> None:
    """Remove an embedded registry's file and the side files SQLite keeps beside it
    (its store closed first): one made for an import that loaded nothing."""
    from registry.store.sqlite import store_files

    for part in store_files(Path(location)):
        part.unlink(missing_ok=True)


__all__ = ["DEFAULT_STORE", "Store", "StoreError", "open_store", "remove_file"]
