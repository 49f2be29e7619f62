"""Reading and writing JSON/YAML documents as plain data.

YAML 1.1 turns ``code: 0101`` into the octal number 65 and ``code: 110000`` into an int;
registry codes are text, so the loader here only resolves plain decimal numbers without a
leading zero (pydantic then coerces them back to text where a string is expected) and
keeps everything with leading zeros as written. libyaml's C loader is used when present:
it is several times faster on the multi-million-field documents of a national registry.

A document is untrusted, so parsing is bounded: numbers longer than ``max_int_digits``
are refused in JSON and stay text in YAML (Python refuses to convert 4,300 digits, and
that conversion is quadratic below it), YAML's explicit tags beyond the core types
(``!!binary``, ``!!set``, ``!!python/...``) are refused, and a YAML document that uses
anchors is measured as it would expand, since a few lines of nested aliases expand to
billions of values when validated ("billion laughs"). JSON nesting is bounded by the
parser's recursion guard, YAML's by libyaml's.
"""

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

from registry.importers.limits import DEFAULT, Limits, TooCostly

YAML_SUFFIXES = (".yaml", ".yml")
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(rf"^(?:[-+]?(?:0|[1-9][0-9]{{0,{DEFAULT.max_int_digits - 1}}}))$"),
    list("-+0123456789"),
)
_Loader.yaml_constructors = {
    tag: constructor
    for tag, constructor in yaml.SafeLoader.yaml_constructors.items()
    if tag
    not in ("tag:yaml.org,2002:binary", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs")
}
"""Without these the loader reports their tags as unknown: a registry document has no use
for bytes, sets or ordered pairs, and each is a way to smuggle a non-text value in."""
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s,\[\]{}]")


class DocumentSyntaxError(ValueError):
    """The file is not valid JSON or YAML; the message says where."""


def is_yaml(path: Path) -> bool:
    return path.suffix.lower() in YAML_SUFFIXES


def parse(path: Path, text: str, limits: Limits = DEFAULT) -> Any:
    """The document as plain data; ``DocumentSyntaxError`` for anything that is not a
    readable document (including values the parser cannot construct, such as the date
    2023-13-45), ``TooCostly`` beyond ``limits``."""
    if is_yaml(path):
        try:
            data = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise DocumentSyntaxError(f"not valid YAML: {exc}") from None
        except RecursionError:
            raise DocumentSyntaxError("not valid YAML: it nests deeper than can be read") from None
        except (ValueError, TypeError, OverflowError) as exc:
            raise DocumentSyntaxError(f"not valid YAML: a value cannot be read ({exc})") from None
        if _ANCHOR.search(text):
            _check_expansion(data, limits)
        return data
    try:
        return json_decoder(limits).decode(text)
    except json.JSONDecodeError as exc:
        raise DocumentSyntaxError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise DocumentSyntaxError("not valid JSON: it nests deeper than can be read") from None


def json_decoder(limits: Limits = DEFAULT) -> json.JSONDecoder:
    """The decoder of an untrusted JSON document (the json module's C scanner): numbers
    bounded, no NaN or Infinity; its recursion guard bounds nesting. ``DocumentSyntaxError``
    or ``TooCostly`` for a value beyond them."""
    return json.JSONDecoder(
        parse_int=lambda digits: _json_int(digits, limits), parse_float=_json_float, parse_constant=_no_constant
    )


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise DocumentSyntaxError(f"not valid JSON: {text[:40]} is beyond the numbers a document may hold")
    return value


def _no_constant(name: str) -> Any:
    raise DocumentSyntaxError(f"not valid JSON: {name} is not a number JSON allows")


def _json_int(digits: str, limits: Limits) -> int:
    if len(digits.lstrip("-")) > limits.max_int_digits:
        raise TooCostly(f"a number has {len(digits):,} digits; write codes and long numbers as text")
    return int(digits)


def _check_expansion(data: Any, limits: Limits) -> None:
    """How many values ``data`` holds counting every use of a shared (aliased) value, and
    how deep it nests, without expanding it: each distinct container is measured once.
    A container that contains itself (``&a [*a]``) is refused."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    open_: set[int] = set()
    while stack:
        node, done = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        if done:
            open_.discard(key)
            inner = [c for c in children if isinstance(c, dict | list)]
            size[key] = len(children) + sum(size[id(c)] for c in inner)
            depth[key] = 1 + max((depth[id(c)] for c in inner), default=0)
            if size[key] > limits.max_items or depth[key] > limits.max_depth:
                raise TooCostly(
                    f"the document expands to more than {limits.max_items:,} values or nests deeper than "
                    f"{limits.max_depth} levels through its YAML anchors and aliases"
                )
            continue
        if key in size:
            continue
        if key in open_:
            raise TooCostly("the document contains itself through a YAML alias")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, dict | list) and id(c) not in size)


def dump(data: Any, path: Path) -> None:
    """JSON or YAML by the suffix; written beside the target and renamed, so an
    interrupted export never leaves a half-written file under the final name."""
    tmp = path.with_name(path.name + ".partial")
    with tmp.open("w", encoding="utf-8") as handle:
        if is_yaml(path):
            yaml.dump(data, handle, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
        else:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
    tmp.replace(path)
