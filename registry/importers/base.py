"""What a format is, apart from the registry of formats, so format modules can name it."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from registry.service.declaration import Declaration
from registry.service.errors import InvalidInput


class UnknownFormat(InvalidInput):
    """No format of that name, or no format recognises the file."""


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    suffixes: tuple[str, ...]
    sniff: Callable[[Path], bool]
    read: Callable[..., Declaration]
