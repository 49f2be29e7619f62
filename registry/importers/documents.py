"""Reading and writing JSON/YAML documents as plain data.

YAML 1.1 turns ``code: 0101`` into the octal number 65 and ``code: 110000`` into an int;
registry codes are text, so the loader here only resolves plain decimal numbers without a
leading zero (pydantic then coerces them back to text where a string is expected) and
keeps everything with leading zeros as written. libyaml's C loader is used when present:
it is several times faster on the multi-million-field documents of a national registry.
"""

import json
import re
from pathlib import Path
from typing import Any

import yaml

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
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*))$"), list("-+0123456789")
)


class DocumentSyntaxError(ValueError):
    """The file is not valid JSON or YAML; the message says where."""


def is_yaml(path: Path) -> bool:
    return path.suffix.lower() in YAML_SUFFIXES


def parse(path: Path, text: str) -> Any:
    if is_yaml(path):
        try:
            return yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise DocumentSyntaxError(f"not valid YAML: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentSyntaxError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


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
