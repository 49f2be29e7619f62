"""``registry serve`` and ``registry token``: the web service and who may use it."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from rich.console import Console
from rich.table import Column, Table
from starlette.applications import Starlette

from registry.cli.context import open_service, service_at, store_location, store_option
from registry.web.app import WebSettings, create_app
from registry.web.server import DEFAULT_HOST, DEFAULT_PORT, default_workers, run, worker_config
from registry.web.tokens import DEFAULT_DAYS, TokenError, TokenStore, default_token_path


def token_store(path: str | None) -> TokenStore:
    chosen = path or os.environ.get("REGISTRY_TOKENS") or default_token_path(store_location())
    return TokenStore(Path(chosen))


tokens_option = click.option(
    "--tokens",
    "tokens_path",
    metavar="FILE",
    help="Token file (default: $REGISTRY_TOKENS, or <store>.tokens.json beside the registry file).",
)


def serve_options(func: click.decorators.FC) -> click.decorators.FC:
    """The options shared by ``registry serve`` and ``registry demo --serve``."""
    for option in reversed(
        [
            click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on."),
            click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to listen on."),
            click.option(
                "--public-view",
                is_flag=True,
                help="Answer requests without a token as a read-only public viewer (off by default).",
            ),
            click.option(
                "--cors-origin",
                "cors_origins",
                multiple=True,
                metavar="ORIGIN",
                help="Allow browser pages from this origin (repeatable), e.g. https://dashboard.example.gov.cn.",
            ),
            click.option(
                "--max-body",
                default=10,
                show_default=True,
                type=click.IntRange(min=1),
                help="Largest request body accepted, in MiB (catalogue uploads).",
            ),
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                default=default_workers,
                show_default="number of cores",
                help="Server processes sharing the store and the token file.",
            ),
            tokens_option,
        ]
    ):
        func = option(func)
    return func


def start(
    *,
    host: str,
    port: int,
    public_view: bool,
    cors_origins: tuple[str, ...],
    max_body: int,
    tokens_path: str | None,
    workers: int = 1,
    init: bool = True,
) -> None:
    service = open_service(create=init, background=True)
    tokens = token_store(tokens_path)
    settings = WebSettings(public_view=public_view, cors_origins=cors_origins, max_body_bytes=max_body * 1024 * 1024)
    console = Console(stderr=True)
    console.print(f"GraphQL API and GraphiQL at http://{host}:{port}/graphql (store: {service.location})")
    if not tokens.list() and not public_view:
        console.print(
            "[yellow]no API tokens yet: create one with `registry token create --role reviewer "
            "--clearance public`, or pass --public-view[/yellow]"
        )
    run(service, tokens, settings, host=host, port=port, workers=workers, worker_factory=f"{__name__}:worker_app")


def worker_app() -> Starlette:
    """One ``registry serve --workers N`` process's app: its own service on the store the
    command was given, opened here, where the CLI opens stores."""
    location, tokens, settings = worker_config()
    return create_app(service_at(location, background=True, share_results=True), tokens, settings)


@click.command("serve")
@store_option
@serve_options
@click.option("--init", is_flag=True, help="Create an empty registry when the store does not exist yet.")
def serve_command(
    host: str,
    port: int,
    public_view: bool,
    cors_origins: tuple[str, ...],
    max_body: int,
    tokens_path: str | None,
    workers: int,
    init: bool,
) -> None:
    """Serve the registry over GraphQL (with GraphiQL for browsers), /health and /metrics."""
    start(
        init=init,
        workers=workers,
        host=host,
        port=port,
        public_view=public_view,
        cors_origins=cors_origins,
        max_body=max_body,
        tokens_path=tokens_path,
    )


@click.group("token")
def token_group() -> None:
    """API tokens for the web service (stored hashed)."""


@token_group.command("create")
@store_option
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "reviewer", "public"]))
@click.option("--department", help="统一社会信用代码 of the department an editor may change.")
@click.option(
    "--clearance",
    default="public",
    show_default=True,
    type=click.Choice(["public", "secret", "confidential", "top_secret"]),
    help="What the token may see; intranet data needs secret or above.",
)
@click.option("--name", help="Who uses the token; recorded as the author of its writes.")
@click.option(
    "--expires",
    default=str(DEFAULT_DAYS),
    show_default=True,
    metavar="DAYS|never",
    help="Days until the token is refused; 'never' keeps it until revoked.",
)
@tokens_option
def token_create(
    role: str, department: str | None, clearance: str, name: str | None, expires: str, tokens_path: str | None
) -> None:
    """Create a token and print it once (only its hash is kept)."""
    store = token_store(tokens_path)
    if expires.strip().lower() == "never":
        lifetime = None
    elif expires.strip().isdigit():
        lifetime = timedelta(days=int(expires))
    else:
        raise click.BadParameter(f"{expires!r} is neither a number of days nor 'never'", param_hint="--expires")
    try:
        token, info = store.create(
            role=role, clearance=clearance, department=department, name=name, expires_in=lifetime
        )
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)
    scope = f" of {info.department}" if info.department else ""
    until = f"expires {info.expires}" if info.expires else "never expires"
    click.echo(
        f"{info.role}{scope}, clearance {info.clearance}, id {info.id}, {until}, stored in {store.path}", err=True
    )


@token_group.command("list")
@store_option
@tokens_option
def token_list(tokens_path: str | None) -> None:
    """Tokens that exist (never their secrets)."""
    table = Table(
        *(Column(h, overflow="fold") for h in ("id", "name")),
        Column("role", min_width=8),
        *(Column(h, overflow="fold") for h in ("department", "clearance", "created", "expires", "last used")),
    )
    now = datetime.now(UTC)
    for info in token_store(tokens_path).list():
        expires = "never" if info.expires is None else info.expires[:10] + (" (expired)" if info.expired(now) else "")
        table.add_row(
            info.id,
            info.name,
            info.role,
            info.department or "",
            info.clearance,
            info.created[:10],
            expires,
            (info.last_used or "never")[:16].replace("T", " "),
        )
    Console().print(table)


@token_group.command("revoke")
@store_option
@click.argument("token_id")
@tokens_option
def token_revoke(token_id: str, tokens_path: str | None) -> None:
    """Revoke a token by its id; a running server refuses it at once."""
    try:
        info = token_store(tokens_path).revoke(token_id)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked {info.id} ({info.name})")
