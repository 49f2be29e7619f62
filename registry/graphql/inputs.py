"""Input types of the registration mutations, mirroring the schema models' properties.

Inputs carry no validation of their own: they become the same pydantic models an
import produces, so an API registration and a catalogue row are checked alike.
"""

import dataclasses
import enum
from datetime import date
from typing import Any

import strawberry
from pydantic import ValidationError

from registry.graphql.enums import (
    DataType,
    DepartmentLevel,
    FormatCategory,
    Network,
    NodeKind,
    ResourceCategory,
    SecrecyLevel,
    ShareMode,
    ShareType,
    SystemStatus,
    UpdateCycle,
)
from registry.graphql.errors import invalid_input
from registry.schema.model import NodeModel
from registry.schema.records import NodeRef


@strawberry.input
class DepartmentInput:
    code: str
    name: str
    level: DepartmentLevel | None = None
    region: str | None = None
    parent: str | None = None


@strawberry.input
class SystemInput:
    code: str
    name: str
    description: str | None = None
    functions: list[str] | None = None
    network: Network | None = None
    secrecy_level: SecrecyLevel | None = None
    mlps_level: int | None = None
    status: SystemStatus | None = None
    public_service: bool | None = None
    project: str | None = None


@strawberry.input
class DatasetInput:
    resource_code: str
    name: str
    abstract: str | None = None
    category: ResourceCategory | None = None
    category_code: str | None = None
    format_category: FormatCategory | None = None
    format_type: str | None = None
    share_type: ShareType | None = None
    share_condition: str | None = None
    share_mode: ShareMode | None = None
    open_to_public: bool | None = None
    open_condition: str | None = None
    update_cycle: UpdateCycle | None = None
    published_on: date | None = None
    related_resource_codes: list[str] | None = None
    secrecy_level: SecrecyLevel | None = None
    declassified: bool | None = None
    processing_method: str | None = None
    traceability_requirement: str | None = None


@strawberry.input
class FieldInput:
    name: str
    data_type: DataType | None = None
    length: int | None = None
    format: str | None = None
    processing_method: str | None = None
    traceability_requirement: str | None = None
    declassified: bool | None = None
    element: str | None = strawberry.field(default=None, description="Code of the data element the field means.")


@strawberry.input
class NeedInput:
    id: str
    purpose: str
    legal_basis: str | None = None
    requested_on: date | None = None


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
