"""The GraphQL API: strawberry types over the registry service.

This layer authenticates nothing and decides nothing: the web layer hands it a
``Caller``, and every read and write goes through ``RegistryService`` with that caller,
so visibility and permissions are the service's alone. What lives here is translation
(records to types, inputs to models) and batching (DataLoaders).
"""

from registry.graphql.context import RegistryContext
from registry.graphql.limits import Limits
from registry.graphql.schema import SDL_PATH, build_schema, sdl

__all__ = ["SDL_PATH", "Limits", "RegistryContext", "build_schema", "sdl"]
