"""The registry of formats, modelled on DataHub's plugin registry (``ingestion/api/registry.py``).

Registering a name twice is a programming error and refused, not a silent overwrite. So
that detection never depends on the order modules happen to register in, two formats
that read a common suffix must have different priorities; ``detect`` asks them highest
first and takes the first that recognises the file.
"""

from pathlib import Path

from registry.importers.base import Format, Probe, UnknownFormat


class DuplicateFormat(ValueError):
    """A format name registered twice, or two formats tied on priority for one suffix."""


class FormatRegistry:
    def __init__(self) -> None:
        self._formats: dict[str, Format] = {}

    def register(self, fmt: Format) -> Format:
        if fmt.name in self._formats:
            raise DuplicateFormat(f"format {fmt.name!r} is already registered")
        for other in self._formats.values():
            shared = set(fmt.suffixes) & set(other.suffixes)
            if shared and other.priority == fmt.priority:
                raise DuplicateFormat(
                    f"formats {other.name!r} and {fmt.name!r} both read {', '.join(sorted(shared))} "
                    f"at priority {fmt.priority}; give them different priorities"
                )
        self._formats[fmt.name] = fmt
        return fmt

    def ordered(self) -> list[Format]:
        """In detection order: priority, highest first; then by name."""
        return sorted(self._formats.values(), key=lambda f: (-f.priority, f.name))

    def names(self) -> list[str]:
        return [f.name for f in self.ordered()]

    def get(self, name: str) -> Format:
        fmt = self._formats.get(name.strip().lower())
        if fmt is None:
            raise UnknownFormat(f"unknown format {name!r}; known formats: {', '.join(self.names())}")
        return fmt

    def detect(self, path: Path) -> Format:
        probe = Probe.of(path)
        for fmt in self.ordered():
            if probe.suffix in fmt.suffixes and fmt.sniff(probe):
                return fmt
        described = "; ".join(f"{f.name} ({', '.join(f.suffixes)})" for f in self.ordered())
        raise UnknownFormat(f"cannot tell the format of {path}; pass one of: {described}")
