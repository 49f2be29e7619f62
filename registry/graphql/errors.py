"""Errors a client sees: the service's own messages (written to be shown, never naming
anything the caller may not see), a machine-readable code, and nothing else. Anything
unexpected becomes one generic message; its traceback goes to the server log only."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from pydantic import ValidationError
from strawberry.extensions import SchemaExtension

from registry.service import (
    Busy,
    ImportRejected,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RetireLimitExceeded,
    ServiceError,
)

log = logging.getLogger("registry.graphql")

INTERNAL_MESSAGE = "internal error: the request could not be completed (the server log has the details)"

_CODES: dict[type[ServiceError], str] = {
    NotFound: "NOT_FOUND",
    PermissionDenied: "FORBIDDEN",
    InvalidInput: "BAD_INPUT",
    ImportRejected: "IMPORT_REJECTED",
    RetireLimitExceeded: "RETIRE_LIMIT",
    Busy: "BUSY",
}


def invalid_input(exc: ValidationError, what: str) -> InvalidInput:
    """A pydantic error as one readable line per bad value, without pydantic's URLs."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or what
        parts.append(f"{where}: {err['msg']}")
    return InvalidInput(f"invalid {what}: " + "; ".join(parts))


def is_internal(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, ServiceError | GraphQLError)


def _code(error: GraphQLError) -> str:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return "GRAPHQL_VALIDATION"
    return next((code for cls, code in _CODES.items() if isinstance(original, cls)), "BAD_REQUEST")


def shape(error: GraphQLError) -> GraphQLError:
    if is_internal(error):
        return GraphQLError(INTERNAL_MESSAGE, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL"})
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        path=error.path,
        extensions={**(error.extensions or {}), "code": _code(error)},
    )


def masked(error: GraphQLError) -> GraphQLError:
    """``shape``, logging what was unexpected (its traceback for the log only)."""
    if is_internal(error):
        log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return shape(error)


class ErrorPolicy(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        stopped = getattr(self.execution_context.context, "stopped", None)
        if result is not None and stopped:
            # the result-size cap: one error instead of the partial data and a failure per field
            result.data = None
            result.errors = [GraphQLError(stopped, extensions={"code": "BAD_INPUT"})]
        elif result is not None and result.errors:
            result.errors = [masked(e) for e in result.errors]
