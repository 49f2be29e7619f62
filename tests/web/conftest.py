"""The web tests reuse the GraphQL fixture registry and its client."""

from tests.graphql.conftest import loaded

__all__ = ["loaded"]
