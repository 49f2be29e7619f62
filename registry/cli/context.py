"""What every command shares: which store to open, and the local operator as the caller."""

import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from registry.i18n import t
from registry.service import Caller, RegistryService
from registry.service.subscriptions import SubscriptionBook, enable, subscriptions_path
from registry.store import DEFAULT_STORE, StoreError, open_store, remove_file

F = TypeVar("F", bound=Callable[..., Any])


def store_location() -> str:
    ctx = click.get_current_context()
    root = ctx.find_root()
    return root.meta.get("registry.store") or os.environ.get("REGISTRY_STORE") or DEFAULT_STORE


def _remember_store(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.find_root().meta["registry.store"] = value


def store_option(func: F) -> F:
    """``--store`` is accepted on the group and on every command, so both
    ``registry --store x.db stats`` and ``registry stats --store x.db`` work."""
    return click.option(
        "--store",
        "store",
        metavar="PATH|URL",
        expose_value=False,
        is_eager=True,
        callback=_remember_store,
        help=f"Registry file or Neo4j URL (default: $REGISTRY_STORE or ./{DEFAULT_STORE}).",
    )(func)


def open_service(*, create: bool = False, background: bool = False) -> RegistryService:
    """Open the chosen store; an unreachable store is a clear one-line error, not a traceback.

    Only the commands that fill a registry (``import``, ``demo``, ``serve --init``) pass
    ``create``: anywhere else a missing file is almost always a typo in ``--store``, and
    silently creating an empty registry there would answer "none found" about the wrong one."""
    location = store_location()
    if not create and "://" not in location and not Path(location).exists():
        raise click.ClickException(t("store.missing", path=location))
    try:
        service = service_at(location, background=background, on_wait=lambda message: click.echo(message, err=True))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    return service


def subscription_book() -> SubscriptionBook:
    return SubscriptionBook(subscriptions_path(store_location()))


def os_user() -> str:
    """The operating-system account running the command: unlike ``$REGISTRY_USER`` it is
    not chosen by whoever runs it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def service_at(
    location: str,
    *,
    background: bool = False,
    on_wait: Callable[[str], None] | None = None,
    share_results: bool = False,
) -> RegistryService:
    """A service on the store at ``location`` (a file or a Neo4j URL): the one place a
    store is opened, also for each ``registry serve --workers`` process. A write that
    must wait for another process says so through ``on_wait``. Webhooks are delivered
    after each committed write: inline (with bounded retries) by a one-shot command,
    from a worker thread by the server (``background``). The server's processes share
    clearance levels and analyses beside the registry file (``share_results``)."""
    store = open_store(location)
    if on_wait is not None and hasattr(store, "on_wait"):
        store.on_wait = on_wait
    service = RegistryService(store, share_results=share_results)
    enable(service, SubscriptionBook(subscriptions_path(location)), background=background)
    return service


def operator() -> Caller:
    """The CLI runs as the local operator, a fully cleared administrator acting on its own
    registry (docs/operations.md). Its writes are recorded as ``$REGISTRY_USER`` together
    with the operating-system account, e.g. ``张三 (os:registry)``; the account alone when
    the variable is unset or says the same."""
    account = os_user()
    named = (os.environ.get("REGISTRY_USER") or "").strip()
    return Caller.system(identity=f"{named} (os:{account})" if named and named != account else account)


def discard_store(service: RegistryService) -> None:
    """Close ``service``'s embedded registry and remove its file: one that an import made
    and did not load into, which must not be left behind empty."""
    service.store.close()
    remove_file(store_location())
