"""The strawberry schema, its safety extensions, and the SDL file kept beside it.

``schema.graphql`` is the published contract; ``tests/graphql/test_sdl.py`` fails when
the code and the file disagree. Regenerate it with ``python -m registry.graphql``.
"""

import asyncio
import inspect
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import anyio.to_thread
import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult

from registry.graphql.answers import Answers, keepable
from registry.graphql.catalogue import CatalogueMutation, SubscriptionMutation
from registry.graphql.context import FreshLoaders, RegistryContext
from registry.graphql.cost import cost_limiter
from registry.graphql.errors import ErrorPolicy, masked
from registry.graphql.execution import LeafExecutor
from registry.graphql.limits import Limits
from registry.graphql.mutations import Mutation
from registry.graphql.nodes import NODE_TYPES
from registry.graphql.policy import PolicyMutation, PolicyQuery
from registry.graphql.queries import Query
from registry.graphql.validation import ValidDocuments, kept_validation

SDL_PATH = Path(__file__).with_name("schema.graphql")
_EXECUTE = inspect.signature(strawberry.Schema.execute)


class RegistrySchema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = Answers()

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Run the operation on a worker thread, in an event loop of its own: the service
        and its store are synchronous, so on the server's loop one slow page or analysis
        held every other request behind it. The DataLoaders still batch each level, within
        the operation's own loop. A read-only query asked again by the same caller before
        the registry changed gets the answer kept from the first time (``answers``)."""
        operation = super().execute
        bound = _EXECUTE.bind(self, *args, **kwargs).arguments
        query, context = bound.get("query"), bound.get("context_value")
        name = bound.get("operation_name")
        if not (isinstance(query, str) and isinstance(context, RegistryContext) and keepable(query, name)):
            return await anyio.to_thread.run_sync(lambda: asyncio.run(operation(*args, **kwargs)))
        key = Answers.key(query, name, bound.get("variable_values"), context.caller)
        version = context.service.version()
        kept = self.answers.get(version, key)
        if kept is not None:
            return kept
        result = await anyio.to_thread.run_sync(lambda: asyncio.run(operation(*args, **kwargs)))
        if context.service.version() == version:
            self.answers.keep(version, key, result)
        return result

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Operations over a WebSocket come through here, past ``execute``: their errors get
        the same masking and codes as over HTTP (raw exception text once reached callers)."""
        results = await super().stream(*args, **kwargs)

        async def shaped() -> AsyncIterator[Any]:
            async with aclosing(results):
                async for result in results:
                    errors = getattr(result, "errors", None)
                    if errors:
                        shaped_result: Any = result  # every result kind that carries errors has the attribute
                        shaped_result.errors = [e if "code" in (e.extensions or {}) else masked(e) for e in errors]
                    yield result

        return shaped()

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Client mistakes are answered, not logged; ErrorPolicy logs the unexpected ones."""


def build_schema(limits: Limits | None = None, extensions: tuple[type[SchemaExtension], ...] = ()) -> strawberry.Schema:
    limits = limits or Limits()
    # The limiters' rule classes are made once: a limiter built per request brings new
    # classes each time, and the validation cache, keyed by the rules, then never hits.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    return RegistrySchema(
        query=merge_types("Query", (Query, PolicyQuery)),
        mutation=merge_types("Mutation", (Mutation, CatalogueMutation, SubscriptionMutation, PolicyMutation)),
        types=list(NODE_TYPES.values()),
        execution_context_class=LeafExecutor,
        extensions=[
            lambda: ParserCache(maxsize=limits.cache_size),
            kept_validation(ValidDocuments(limits.cache_size)),
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            cost_limiter(limits.max_cost),
            FreshLoaders,
            *extensions,
            ErrorPolicy,  # last: operation hooks unwind in reverse, so it shapes errors before others see them
        ],
    )


def sdl() -> str:
    return build_schema().as_str() + "\n"
