"""``registry subscribe | subscriptions | unsubscribe | deliveries``: be told by webhook when
an entry, a department's entries or the data it depends on change."""

import json

import click
from rich.console import Console
from rich.table import Table

from registry.cli.context import open_service, operator, store_option, subscription_book
from registry.service import InvalidInput, NotFound
from registry.service.subscriptions import EVENTS, subscribe


@click.command("subscribe")
@click.option("--entry", help="An entry as Label:key, e.g. Dataset:101100000/001.")
@click.option("--department", help="A department (统一社会信用代码): its entries and what is shared with it.")
@click.option("--element", help="A data element code: the 信息项 that mean it.")
@click.option("--url", required=True, help="Webhook URL that receives signed JSON POSTs.")
@click.option("--event", "events", multiple=True, type=click.Choice(EVENTS), help="Only these events (default: all).")
@store_option
def subscribe_command(
    entry: str | None, department: str | None, element: str | None, url: str, events: tuple[str, ...]
) -> None:
    """Subscribe a webhook; prints the signing secret once."""
    chosen = [
        (kind, value) for kind, value in (("entry", entry), ("department", department), ("element", element)) if value
    ]
    if len(chosen) != 1:
        raise click.UsageError("name exactly one of --entry, --department, --element")
    kind, target = chosen[0]
    service = open_service()
    try:
        subscription, secret = subscribe(
            service, operator(), subscription_book(), target_kind=kind, target=target, url=url, events=events or None
        )
    except (InvalidInput, NotFound) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(secret)
    click.echo(f"{subscription.id}: {kind} {subscription.target} -> {url} ({', '.join(subscription.events)})", err=True)


@click.command("subscriptions")
@click.option("--json", "as_json", is_flag=True)
@store_option
def subscriptions_command(as_json: bool) -> None:
    """Subscriptions of this registry (never their secrets)."""
    found = [s.public() for s in subscription_book().all()]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    table = Table("id", "subscriber", "target", "events", "url", "created")
    for s in found:
        table.add_row(
            s["id"],
            s["subscriber"],
            f"{s['target_kind']} {s['target']}",
            ", ".join(s["events"]),
            s["url"],
            s["created"],
        )
    Console().print(table)


@click.command("unsubscribe")
@click.argument("subscription_id")
@store_option
def unsubscribe_command(subscription_id: str) -> None:
    """Remove a subscription by its id."""
    try:
        removed = subscription_book().remove(subscription_id, None)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed {removed.id}")


@click.command("deliveries")
@click.option("--subscription", "subscription_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@store_option
def deliveries_command(subscription_id: str | None, as_json: bool) -> None:
    """The delivery log: each webhook call, its attempts and outcome."""
    found = subscription_book().deliveries([subscription_id] if subscription_id else None)
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in found], ensure_ascii=False, indent=2))
        return
    table = Table("at", "id", "subscription", "batch", "status", "attempts", "events", "error")
    for d in found:
        table.add_row(d.at, d.id, d.subscription, d.batch, d.status, str(d.attempts), str(d.events), d.error or "")
    Console().print(table)
