"""Relay-style cursor connections over the service's key-ordered pages.

The service orders every list by natural key and pages with ``after=<key>``, so a
cursor is just the last key, made opaque (URL-safe base64) so that clients treat it as
a token. ``totalCount`` is computed only when asked for: it is a second query.
"""

import base64
import binascii
from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from registry.service import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE = 50
MAX_PAGE = 500


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], int]]

    @strawberry.field(description="How many match the filters, over all pages (only what the caller may see).")
    def total_count(self) -> int:
        return self.counter()


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(f"invalid cursor {cursor!r}; pass an endCursor from a previous page") from None


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}, got {first}")
    return first


def connection(items: list[tuple[str, T]], first: int, counter: Callable[[], int]) -> Connection[T]:
    """``items`` is one page plus at most one look-ahead item, as (key, node) pairs."""
    page = items[:first]
    edges = [Edge(cursor=encode_cursor(key), node=node) for key, node in page]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=len(items) > first, end_cursor=edges[-1].cursor if edges else None),
        counter=counter,
    )
