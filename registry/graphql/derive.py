"""GraphQL types read off the schema models and the analysis results, not written again.

The pydantic models in ``registry/schema/model.py`` decide which properties a node has,
and the frozen dataclasses in ``registry/analysis`` decide what a finding says. The
GraphQL node, input and result types are derived from them here, so a property or a
result field is written in one place and the API follows it.

How a Python type becomes a GraphQL type (``graphql_type``):

- ``str``, ``int``, ``float``, ``bool``, ``date``: the same scalar;
- an ``IntEnum`` (等级保护 level): ``Int``, since clients read it as a number;
- any other ``Enum``: the GraphQL enum of the same values (``registry/graphql/enums.py``
  gives the schema's enums their descriptions; one without is registered here as is);
- a dataclass (a nested analysis result): its derived result type;
- a list, tuple or set of one of the above: a list of it;
- anything else (dicts, lists of dicts, ``Any``): ``JSON``, serialised like the CLI does.

Nullability follows the source: a property the model requires, or one with a non-null
default (a list, a flag, 密级), is non-null; one that defaults to ``None`` is nullable.
Inputs are the exception: every property but the required ones may be left out, and
the model's default then applies (``registry.graphql.inputs.to_model``).

To add a node label:

1. add its model to ``registry/schema/model.py`` and to ``NODE_MODELS``;
2. in ``registry/graphql/nodes.py`` declare its type with only the edge resolvers::

       @node_type(model.Standard, description="标准规范")
       class Standard(Node):
           @strawberry.field(description="Datasets following the standard (FOLLOWS).")
           async def datasets(self, info: Ctx) -> list["Dataset"]:
               return await _nodes(info, self, "FOLLOWS", "in")

   and list it in ``NODE_TYPES`` (its properties, including later ones, come from the
   model; ``rename`` moves a property aside when a resolver needs its name);
3. if the API registers it, ``StandardInput = input_type(model.Standard)`` in
   ``registry/graphql/inputs.py`` and a mutation calling ``to_model``;
4. regenerate ``schema.graphql`` (``python -m registry.graphql``) and review its diff.

A new analysis result is a class decorated ``@result_type(TheDataclass, description=...)``
in ``registry/graphql/analyses.py`` (nested results first), and a resolver returning
``from_result(...)`` of what the analysis returned; a field added to the dataclass
appears in the API with it.
"""

import dataclasses
import enum
import functools
import inspect
import operator
import typing
from collections.abc import Callable, Iterable
from datetime import date
from types import NoneType, UnionType
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from strawberry.scalars import JSON

import registry.graphql.enums  # noqa: F401  (registers the schema enums with their descriptions)
from registry.analysis.findings import jsonable

C = TypeVar("C", bound=type)
_SCALARS = (str, int, float, bool, date)
_SEQUENCES = (list, tuple, set, frozenset)
_RESULT_TYPES: dict[type, type] = {}
_CONVERTERS: dict[type, list[tuple[str, Callable[[Any], Any]]]] = {}


def graphql_type(hint: Any) -> Any:
    """The GraphQL annotation for a (non-optional) model or result field type."""
    if isinstance(hint, type):
        if issubclass(hint, enum.IntEnum):
            return int
        if issubclass(hint, enum.Enum):
            if not hasattr(hint, "__strawberry_definition__"):
                strawberry.enum(hint)
            return hint
        if hint in _SCALARS:
            return hint
        if dataclasses.is_dataclass(hint):
            return _result(hint)
    if typing.get_origin(hint) in _SEQUENCES:
        items = [a for a in typing.get_args(hint) if a is not Ellipsis]
        if len(items) == 1 and (inner := graphql_type(items[0])) is not JSON:
            return list[inner]  # type: ignore[valid-type]
    return JSON


def optional(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in (typing.Union, UnionType) and NoneType in typing.get_args(hint):
        rest = [a for a in typing.get_args(hint) if a is not NoneType]
        return (rest[0] if len(rest) == 1 else functools.reduce(operator.or_, rest)), True
    return hint, False


def _model_field(info: FieldInfo, *, as_input: bool) -> tuple[Any, Any]:
    """The annotation and the strawberry field of one model property."""
    hint, nullable = optional(info.annotation)
    gql = graphql_type(hint)
    if info.is_required():
        return gql, strawberry.field(description=info.description)
    if as_input:
        return gql | None, strawberry.field(default=None, description=info.description)
    if info.default_factory is not None:
        factory = typing.cast(Callable[[], Any], info.default_factory)
        return gql, strawberry.field(default_factory=factory, description=info.description)
    if info.default is None or nullable:
        return gql | None, strawberry.field(default=info.default, description=info.description)
    return gql, strawberry.field(default=info.default, description=info.description)


def model_columns(
    model: type[BaseModel], *, rename: dict[str, str] | None = None, exclude: Iterable[str] = (), as_input: bool = False
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Annotations and fields for a strawberry class from a model's properties, in the
    model's order, and the property each attribute reads (``rename`` maps property to
    attribute)."""
    rename, skip = rename or {}, set(exclude)
    annotations: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    props: dict[str, str] = {}
    for prop, info in model.model_fields.items():
        if prop in skip:
            continue
        name = rename.get(prop, prop)
        annotations[name], fields[name] = _model_field(info, as_input=as_input)
        props[name] = prop
    return annotations, fields, props


def with_columns(cls: C, annotations: dict[str, Any], fields: dict[str, Any]) -> C:
    """Put derived columns first in ``cls``, before what its own body declares."""
    own = inspect.get_annotations(cls)
    cls.__annotations__ = {**annotations, **own}
    for name, value in fields.items():
        setattr(cls, name, value)
    return cls


def input_type(
    model: type[BaseModel], *, name: str | None = None, exclude: Iterable[str] = (), description: str | None = None
) -> Callable[[type], type]:
    """A strawberry input with the model's properties (then the class body's own fields);
    ``exclude`` leaves out what the mutation sets itself or the system decides."""

    def wrap(cls: type) -> type:
        annotations, fields, _ = model_columns(model, exclude=exclude, as_input=True)
        return strawberry.input(with_columns(cls, annotations, fields), name=name, description=description)

    return wrap


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How a result field's value becomes what its GraphQL type serves."""
    gql = graphql_type(optional(hint)[0])
    if gql is JSON:
        return jsonable
    if gql is float:
        return lambda value: None if value is None else float(value)
    if isinstance(gql, type) and gql in _CONVERTERS:
        return lambda value: None if value is None else _convert(gql, value)
    if typing.get_origin(gql) is list:
        item = typing.get_args(gql)[0]
        if item in _CONVERTERS:
            return lambda values: [_convert(item, v) for v in values]
        return list
    return lambda value: value


def result_type(source: type, *, description: str | None = None) -> Callable[[C], C]:
    """The GraphQL type of an analysis result dataclass, one per dataclass, named by the
    class it decorates. Declare nested results before the results holding them: one met
    first inside another is derived there, under the dataclass's name, undescribed."""

    def wrap(cls: C) -> C:
        if source in _RESULT_TYPES:
            raise TypeError(f"{source.__name__} already has a GraphQL type; declare it before its holders")
        return _derive_result(source, cls, description)

    return wrap


def _result(source: type) -> type:
    if source not in _RESULT_TYPES:
        _derive_result(source, type(source.__name__, (), {"__module__": __name__}), None)
    return _RESULT_TYPES[source]


def _derive_result(source: type, cls: C, description: str | None) -> C:
    hints = typing.get_type_hints(source)
    annotations: dict[str, Any] = {}
    converters: list[tuple[str, Callable[[Any], Any]]] = []
    for f in dataclasses.fields(source):
        hint, nullable = optional(hints[f.name])
        gql = graphql_type(hint)
        annotations[f.name] = gql | None if nullable else gql
        converters.append((f.name, _converter(hints[f.name])))
    derived = strawberry.type(with_columns(cls, annotations, {}), description=description)
    _RESULT_TYPES[source], _CONVERTERS[derived] = derived, converters
    return derived


def result_input(source: type, *, description: str | None = None) -> Callable[[C], C]:
    """A strawberry input with a dataclass's fields and defaults (an analysis's parameters)."""

    def wrap(cls: C) -> C:
        hints = typing.get_type_hints(source)
        annotations: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        for f in dataclasses.fields(source):
            hint, nullable = optional(hints[f.name])
            annotations[f.name] = graphql_type(hint) | None if nullable else graphql_type(hint)
            if f.default is not dataclasses.MISSING:
                fields[f.name] = strawberry.field(default=f.default)
            elif f.default_factory is not dataclasses.MISSING:
                fields[f.name] = strawberry.field(default_factory=f.default_factory)
        return strawberry.input(with_columns(cls, annotations, fields), description=description)

    return wrap


def _convert(derived: type, result: Any) -> Any:
    return derived(**{name: convert(getattr(result, name)) for name, convert in _CONVERTERS[derived]})


def from_result(result: Any) -> Any:
    """An analysis result as its derived GraphQL type."""
    return _convert(_result(type(result)), result)


def to_source(source: type[Any], data: Any) -> Any:
    """A derived input back as the dataclass it was read off."""
    return source(**{f.name: getattr(data, f.name) for f in dataclasses.fields(source)})
