"""What every resolver receives: the service, the caller and this operation's loaders."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from strawberry.extensions import SchemaExtension

from registry.graphql.loaders import Loaders
from registry.service import Caller, RegistryService


@dataclass
class RegistryContext:
    service: RegistryService
    caller: Caller
    request: Any = None
    authenticated: bool = True
    """False only for a websocket whose handshake carried no token: it must present one in
    connection_init."""
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget cached lookups: after a write, for a new caller, or for the next operation
        on a websocket, whose context lives as long as the connection."""
        self.loaders = Loaders(self.service, self.caller)

    def become(self, caller: Caller) -> None:
        self.caller, self.authenticated = caller, True
        self.reset()


class FreshLoaders(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, RegistryContext):
            context.reset()
        yield
        if isinstance(context, RegistryContext):
            # The executor's own reference cycles keep the context alive until a full
            # collection; its loaders' records (thousands for a department page) need not.
            context.reset()
