"""Bounds on what one operation may ask, return and upload."""

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True)
class Limits:
    """Bounds on what one document may ask; introspection is exempt from the depth limit."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    cache_size: int = 512
    max_cost: int = 1_000_000
    """Nodes an operation may be estimated to return (``registry.graphql.cost``)."""
    max_nodes: int = 100_000
    """Nodes an operation may actually return before it is stopped."""
    upload_seconds: float = 120.0
    """Wall time reading one uploaded catalogue may take (in its own process)."""
    upload_memory: int = 2 * GIB
    """Address space reading one uploaded catalogue may use (in its own process)."""
