"""Validation kept per document, whatever its layout: what a valid operation asks, once.

Validating a dashboard query against the schema (34 rules over every field) takes about
10 ms, as long as executing a small one. strawberry's ``ValidationCache`` keys on the
parsed document, which compares its nodes' positions in the text: the same operation
sent with another comment, indentation or trailing newline was validated again. Here the
key is the document printed back without positions, comments or layout (0.2 ms), with the
rules; each schema keeps its own.

Only a document that passed is kept: an error's message carries line and column, which
belong to the text that was sent, so an invalid document is validated every time (its
size is bounded before this by the token limit).
"""

from collections import OrderedDict
from collections.abc import Hashable, Iterator
from threading import Lock

from graphql import print_ast
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


class ValidDocuments:
    """The documents one schema found valid under its rules, at most ``size`` of them
    (the least recently used goes first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._valid: OrderedDict[Hashable, None] = OrderedDict()
        self._lock = Lock()

    def known(self, key: Hashable) -> bool:
        with self._lock:
            if key in self._valid:
                self._valid.move_to_end(key)
                return True
            return False

    def keep(self, key: Hashable) -> None:
        with self._lock:
            self._valid[key] = None
            while len(self._valid) > self._size:
                self._valid.popitem(last=False)


def kept_validation(valid: ValidDocuments) -> type[SchemaExtension]:
    """The extension validating through ``valid`` (in place of strawberry's ``ValidationCache``)."""

    class KeptValidation(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            if document is None:  # a parse error, which strawberry has reported
                yield
                return
            rules = tuple(context.validation_rules)
            key = (print_ast(document), rules)
            if valid.known(key):
                context.pre_execution_errors = []
            else:
                errors = validate_document(context.schema._schema, document, rules)
                context.pre_execution_errors = errors
                if not errors:
                    valid.keep(key)
            yield

    return KeptValidation
