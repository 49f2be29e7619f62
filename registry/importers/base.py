"""What a format is, apart from the registry of formats, so format modules can name it.

A format is configuration (pydantic, frozen): its name, the suffixes it reads, the
priority at which it is asked when no format is named, a ``sniff`` that looks at a
``Probe`` of the file, and ``read``. Sniffing sees only the first bytes of a file, read
once for every format asked, so detection costs the same for a 2 GB catalogue as for a
small one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from registry.service.declaration import Declaration, DeclarationStream
from registry.service.errors import InvalidInput

PROBE_BYTES = 64 * 1024
"""How much of a file sniffing sees: enough for a JSON document's opening keys or the
first record of a JSON-lines dump."""


class UnknownFormat(InvalidInput):
    """No format of that name, or no format recognises the file."""


@dataclass(frozen=True)
class Probe:
    """The first bytes of a file, for sniffing; ``text`` is them decoded leniently."""

    path: Path
    head: bytes

    @classmethod
    def of(cls, path: Path) -> "Probe":
        with path.open("rb") as handle:
            return cls(path, handle.read(PROBE_BYTES))

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    @cached_property
    def text(self) -> str:
        """UTF-8 (the JSON and RDF formats require it), a BOM dropped; undecodable bytes
        become U+FFFD so a sniff never fails on a file cut mid-character."""
        return self.head.decode("utf-8", errors="replace").lstrip("\ufeff")

    def has(self, pattern: str) -> bool:
        """Whether the head matches a regular expression (searched, not anchored)."""
        return re.search(pattern, self.text) is not None


class Format(BaseModel):
    """A registered format. Detection asks formats by ``priority``, highest first: a
    format that recognises files by content (DCAT, CKAN, a project sheet's headers) sits
    above one that claims a whole suffix (native for .json, catalogue for .csv/.xlsx)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    description: str
    suffixes: tuple[str, ...]
    priority: int = Field(description="Detection order, highest asked first; suffix fallbacks use the lowest.")
    sniff: Callable[[Probe], bool]
    read: Callable[..., Declaration]
    stream: Callable[..., DeclarationStream] | None = None
    """The file in parts, read as they are loaded (``RegistryService.load_stream``); a
    format without it is read whole."""
