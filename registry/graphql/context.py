"""What every resolver receives: the service, the caller and this operation's loaders."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from strawberry.extensions import SchemaExtension

from registry.graphql.limits import Limits
from registry.graphql.loaders import Loaders
from registry.service import Caller, InvalidInput, RegistryService


@dataclass
class RegistryContext:
    service: RegistryService
    caller: Caller
    request: Any = None
    authenticated: bool = True
    """False only for a websocket whose handshake carried no token: it must present one in
    connection_init."""
    connection_params: dict[str, Any] | None = None
    limits: Limits = field(default_factory=Limits)
    loaders: Loaders = field(init=False)
    returned: int = field(init=False, default=0)
    stopped: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.reset()

    def charge(self, nodes: int) -> None:
        """Count nodes handed back to the client; past ``max_nodes`` the operation stops
        (every later resolver fails at once, and the error policy replaces the partial
        result with this one error)."""
        self.returned += nodes
        if self.returned > self.limits.max_nodes:
            self.stopped = (
                f"this query returned more than {self.limits.max_nodes:,} nodes and was stopped: "
                "ask for fewer (first), nest less, or split it"
            )
            raise InvalidInput(self.stopped)

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
            context.returned, context.stopped = 0, None
        yield
        if isinstance(context, RegistryContext):
            # The executor's own reference cycles keep the context alive until a full
            # collection; its loaders' records (thousands for a department page) need not.
            context.reset()
