"""The native document: the whole registry graph as one JSON or YAML file.

Each section lists one kind of node with its relations written inside it, the way a
person describes them (a dataset names its provider and lists its fields; a field names
its data element and what it is derived from), so a document is writable by hand and
reviewable in a diff. The item models extend the graph's node models, so every property
is defined and validated in one place (``registry.schema.model``) and the document adds
only the relations.

An export also carries ``records``: every node and edge exactly as stored (retired ones
included) with their provenance, and the stored history. That section is what moves a
registry between stores without loss; the graph sections alone are what a department
declares.

``native.schema.json`` beside this module is generated from these models
(``python -m registry.schema.document``); a test fails when it drifts.
"""

import json
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from registry.schema.model import (
    EDGE_SPECS,
    NODE_MODELS,
    DataElement,
    Dataset,
    Department,
    FieldItem,
    Interface,
    Need,
    Project,
    SharingRequest,
    System,
)
from registry.schema.synonyms import canonical

SCHEMA_PATH = Path(__file__).with_name("native.schema.json")
SCHEMA_ID = "https://registry.example/schema/native.schema.json"
DOCUMENT_VERSION: Final = 1

_ITEM_CONFIG = ConfigDict(coerce_numbers_to_str=True)
"""YAML reads ``code: 330000`` as a number; a code is text however it was written."""


def _enum_of(annotation: Any) -> type[StrEnum] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return candidate
    return None


@cache
def _field_enum(model: type[BaseModel], name: str) -> type[StrEnum] | None:
    """Looked up once per model and field, not per value: ``model_fields`` and the
    annotation walk cost more than the conversion itself over 200k fields."""
    return _enum_of(model.model_fields[name].annotation)


def _synonyms(*names: str) -> Any:
    """People write 外网, 有条件共享, 每日 in a document as they do in a catalogue; the
    same synonym table maps them, and an unknown value says what was expected."""

    def convert(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str) or info.field_name is None:
            return value
        enum = _field_enum(cls, info.field_name)
        return value if enum is None else canonical(enum, value)

    return field_validator(*names, mode="before")(convert)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class DepartmentDoc(Department):
    model_config = _ITEM_CONFIG
    complete: bool = Field(
        default=False,
        description="This document lists all of the department's datasets and systems: those it held before "
        "and this document omits are retired on import.",
    )
    _enums = _synonyms("level")


class SystemDoc(System):
    model_config = _ITEM_CONFIG
    department: str | None = Field(default=None, description="Code of the operating department (OPERATES).")
    holds: list[str] = Field(default_factory=list, description="Resource codes of the datasets it holds (HOLDS).")
    _enums = _synonyms("network", "secrecy_level", "status")


class DerivedFromDoc(_Part):
    dataset: str = Field(description="Resource code of the source dataset.")
    field: str = Field(description="Name of the source field in that dataset.")
    processing_method: str | None = None


class FieldDoc(FieldItem):
    model_config = _ITEM_CONFIG
    dataset: str | None = Field(  # type: ignore[assignment]  # a document's item may leave its dataset implied
        default=None, description="Implied by the enclosing dataset; may be omitted."
    )
    element: str | None = Field(default=None, description="Code of the data element it means (MEANS).")
    derived_from: list[DerivedFromDoc] = Field(default_factory=list, description="Lineage (DERIVED_FROM).")
    _enums = _synonyms("data_type")


class SharedWithDoc(_Part):
    department: str | None = None
    system: str | None = None
    agreement: str | None = None
    since: date | None = None
    request: str | None = Field(default=None, description="Id of the sharing request this relation met.")

    @model_validator(mode="after")
    def _one_target(self) -> "SharedWithDoc":
        if (self.department is None) == (self.system is None):
            raise ValueError("name exactly one of department or system")
        return self


class DatasetDoc(Dataset):
    model_config = _ITEM_CONFIG
    provider: str | None = Field(default=None, description="Code of the providing department (PROVIDES).")
    fields: list[FieldDoc] = Field(default_factory=list)
    interfaces: list[str] = Field(default_factory=list, description="Interface codes (EXPOSED_VIA).")
    shared_with: list[SharedWithDoc] = Field(default_factory=list)
    _enums = _synonyms("category", "format_category", "share_type", "share_mode", "update_cycle", "secrecy_level")


class AuthorityDoc(_Part):
    """The department responsible for an element (权威来源), and the dataset it is
    collected in when known."""

    department: str | None = Field(default=None, description="Code of the responsible department.")
    dataset: str | None = Field(default=None, description="Resource code of the authoritative dataset.")

    @model_validator(mode="after")
    def _something(self) -> "AuthorityDoc":
        if self.department is None and self.dataset is None:
            raise ValueError("name the department, the dataset or both")
        return self


class DataElementDoc(DataElement):
    model_config = _ITEM_CONFIG
    authoritative_sources: list[AuthorityDoc] = Field(
        default_factory=list, description="Responsible departments and datasets (AUTHORITATIVE_SOURCE)."
    )


class InterfaceDoc(Interface):
    model_config = _ITEM_CONFIG
    _enums = _synonyms("kind", "network")


class ProjectDoc(Project):
    model_config = _ITEM_CONFIG
    led_by: str | None = Field(default=None, description="Code of the leading department (LED_BY).")
    co_built_by: list[str] = Field(default_factory=list, description="Co-building departments (CO_BUILT_BY).")
    builds: list[str] = Field(default_factory=list, description="Codes of the systems it builds (BUILDS).")
    _enums = _synonyms("stage")


class NeedDoc(Need):
    model_config = _ITEM_CONFIG
    by_department: str | None = None
    by_system: str | None = None
    for_element: str | None = None
    for_dataset: str | None = None

    @model_validator(mode="after")
    def _ends(self) -> "NeedDoc":
        if (self.by_department is None) == (self.by_system is None):
            raise ValueError("name exactly one of by_department or by_system")
        if (self.for_element is None) == (self.for_dataset is None):
            raise ValueError("name exactly one of for_element or for_dataset")
        return self


class SharingRequestDoc(SharingRequest):
    model_config = _ITEM_CONFIG
    requester: str = Field(description="Code of the requesting department (REQUESTS).")
    provider: str = Field(description="Code of the department asked (ADDRESSED_TO).")
    for_element: str | None = None
    for_dataset: str | None = None

    @model_validator(mode="after")
    def _target(self) -> "SharingRequestDoc":
        if (self.for_element is None) == (self.for_dataset is None):
            raise ValueError("name exactly one of for_element or for_dataset")
        return self


if TYPE_CHECKING:
    NodeLabel = str
    EdgeType = str
else:  # closed sets at run time, so the JSON schema lists them
    NodeLabel = Literal[tuple(NODE_MODELS)]
    EdgeType = Literal[tuple(EDGE_SPECS)]


class RefDoc(_Part):
    label: NodeLabel
    key: str


class EdgeRefDoc(_Part):
    type: EdgeType
    src: RefDoc
    dst: RefDoc


class BatchDoc(_Part):
    """Provenance shared by everything one write touched; records name it by its id."""

    source: str
    by: str
    at: str


class NodeRecordDoc(_Part):
    label: NodeLabel
    key: str
    props: dict[str, Any]
    created: str = Field(description="Batch id (key of records.batches).")
    updated: str = Field(description="Batch id (key of records.batches).")
    retired: bool = False


class EdgeRecordDoc(_Part):
    type: EdgeType
    src: RefDoc
    dst: RefDoc
    props: dict[str, Any] = Field(default_factory=dict)
    created: str
    updated: str
    retired: bool = False


class HistoryDoc(_Part):
    seq: int
    subject: str
    op: Literal["update", "retire", "revive"]
    changes: dict[str, Any] = Field(description="Property -> [old, new].")
    batch: str
    node: RefDoc | None = None
    edge: EdgeRefDoc | None = None


class RecordsDoc(_Part):
    """The store's content verbatim, for moving a registry between stores."""

    batches: dict[str, BatchDoc] = Field(default_factory=dict)
    nodes: list[NodeRecordDoc] = Field(default_factory=list)
    edges: list[EdgeRecordDoc] = Field(default_factory=list)
    history: list[HistoryDoc] = Field(default_factory=list)


class NativeDocument(_Part):
    """A registry, or part of one, in the native format."""

    model_config = ConfigDict(title="Registry native document", populate_by_name=True)
    schema_ref: str | None = Field(default=None, alias="$schema")
    version: Literal[1] = DOCUMENT_VERSION
    departments: list[DepartmentDoc] = Field(default_factory=list)
    systems: list[SystemDoc] = Field(default_factory=list)
    datasets: list[DatasetDoc] = Field(default_factory=list)
    data_elements: list[DataElementDoc] = Field(default_factory=list)
    interfaces: list[InterfaceDoc] = Field(default_factory=list)
    projects: list[ProjectDoc] = Field(default_factory=list)
    needs: list[NeedDoc] = Field(default_factory=list)
    requests: list[SharingRequestDoc] = Field(default_factory=list, description="Sharing requests (共享申请).")
    complete: list[str] = Field(
        default_factory=list, description="Codes of departments whose entries this document lists completely."
    )
    records: RecordsDoc | None = None


def json_schema() -> dict[str, Any]:
    schema = NativeDocument.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
