"""The typed property columns an export declares, read off the models.

Graph formats declare their attributes before any element (GraphML ``<key>``, GEXF
``<attributes>``, neo4j-admin's typed CSV header), and a streamed export cannot look at
every row first. The models are the closed set of what a node or edge may hold, so the
columns and their types come from them.
"""

import json
import re
import types
import typing
from datetime import date
from enum import Enum, IntEnum
from functools import cache
from typing import Any

from pydantic import BaseModel

from registry.schema.model import EDGE_SPECS, NODE_MODELS

Kind = typing.Literal["string", "boolean", "long", "double", "date", "strings", "json"]

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _kind(annotation: Any) -> Kind:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(args[0]) if len(args) == 1 else "string"
    if typing.get_origin(annotation) is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return "strings" if item is str else "json"
    if origin is dict:
        return "json"
    if annotation is bool:
        return "boolean"
    if isinstance(annotation, type) and (issubclass(annotation, IntEnum) or annotation is int):
        return "long"
    if annotation is float:
        return "double"
    if annotation is date:
        return "date"
    if isinstance(annotation, type) and issubclass(annotation, str | Enum):
        return "string"
    return "json"


def _columns(model: type[BaseModel]) -> dict[str, Kind]:
    return {name: _kind(field.annotation) for name, field in model.model_fields.items()}


@cache
def node_columns(label: str) -> dict[str, Kind]:
    return _columns(NODE_MODELS[label])


@cache
def edge_columns(edge_type: str) -> dict[str, Kind]:
    return _columns(EDGE_SPECS[edge_type].props)


def graph_labels() -> list[str]:
    return [label for label in NODE_MODELS if label != "ImportBatch"]


@cache
def all_node_columns() -> dict[str, Kind]:
    """Every node property across the kinds (a name means the same kind of value everywhere)."""
    out: dict[str, Kind] = {}
    for label in graph_labels():
        for name, kind in node_columns(label).items():
            out.setdefault(name, kind)
    return out


@cache
def all_edge_columns() -> dict[str, Kind]:
    out: dict[str, Kind] = {}
    for edge_type in EDGE_SPECS:
        for name, kind in edge_columns(edge_type).items():
            out.setdefault(name, kind)
    return out


def text(value: Any) -> str:
    """A property value as text: flags as true/false, lists and maps as JSON, characters
    XML 1.0 cannot hold (control characters a catalogue pasted in) removed."""
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, list | dict):
        shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        shown = str(value)
    return _CONTROL.sub("", shown.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
