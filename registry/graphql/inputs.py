"""Input types of the registration mutations, derived from the schema models' properties.

Inputs carry no validation of their own: they become the same pydantic models an
import produces, so an API registration and a catalogue row are checked alike. Every
property the model does not require may be left out, and the model's default applies.
"""

import dataclasses
import enum
from typing import Any

import strawberry
from pydantic import ValidationError

from registry.graphql.derive import input_type
from registry.graphql.enums import NodeKind
from registry.graphql.errors import invalid_input
from registry.schema import model
from registry.schema.model import NodeModel
from registry.schema.records import NodeRef


@input_type(model.Department)
class DepartmentInput:
    """A department as registered through the API."""


@input_type(model.System)
class SystemInput:
    """A system; the operating department is the mutation's argument."""


@input_type(model.Dataset, exclude=("code_recognised",))
class DatasetInput:
    """``code_recognised`` is decided by the importer reading a resource code, not declared."""


@input_type(model.FieldItem, exclude=("dataset",))
class FieldInput:
    """The dataset is the one the mutation registers; ``element`` adds its MEANS edge."""

    element: str | None = strawberry.field(default=None, description="Code of the data element the field means.")


@input_type(model.Need)
class NeedInput:
    """A need; who declares it and what it asks for are the mutation's arguments."""


@strawberry.input(description="A node by label and natural key.")
class NodeRefInput:
    kind: NodeKind
    key: str

    def ref(self) -> NodeRef:
        return NodeRef(str(self.kind.value), self.key)


@strawberry.input(description="A field by its dataset's resource code and its name.")
class FieldRefInput:
    dataset: str
    name: str


def to_model(model: type[NodeModel], data: Any, *, skip: tuple[str, ...] = (), **extra: Any) -> NodeModel:
    """An input object as the schema model; unset inputs are left out so the model's own
    defaults apply. A bad value is an InvalidInput naming the field."""
    values = {
        f.name: _plain(getattr(data, f.name))
        for f in dataclasses.fields(data)
        if f.name not in skip and getattr(data, f.name) is not None
    }
    try:
        return model.model_validate({**values, **extra})
    except ValidationError as exc:
        raise invalid_input(exc, model.LABEL) from None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value
