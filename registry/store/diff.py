"""How an upsert compares with what is stored: shared by every store so that
"created / updated / unchanged" and the history entries mean the same everywhere."""

from typing import Any

from registry.schema.records import Props


def merged(old: Props, new: Props) -> Props:
    """Properties a write does not mention are kept: a catalogue that knows less than the
    native format must not erase what another source declared."""
    return {**old, **new}


def changes(old: Props, new: Props) -> dict[str, list[Any]]:
    """Property -> [old, new] for each property whose value differs."""
    return {
        name: [old.get(name), new.get(name)]
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    }
