"""Neo4j's Cypher front end, run over the Neo4j store's statement catalogue."""
