"""``registry requests``: the sharing requests that are open, with the deadline each waits
on, and those past it (working days on the official calendar; see docs/policy-rules.md)."""

import json
from datetime import date, datetime

import click

from registry.analysis.requests import RequestStatus, request_status
from registry.analysis.workdays import CalendarRangeError
from registry.cli.analyses import console, heading, table_of
from registry.cli.context import open_service, operator, store_option
from registry.cli.dated import policy_options, settings
from registry.i18n import t, t_or


@click.command("requests")
@click.option("--all", "show_all", is_flag=True, help="Also list delivered and refused requests.")
@click.option("--overdue", is_flag=True, help="Only requests past their deadline.")
@click.option("--json", "as_json", is_flag=True, help="Write the requests as JSON.")
@policy_options
@store_option
def requests_command(show_all: bool, overdue: bool, as_json: bool, as_of: datetime | None, **periods: int) -> None:
    """Sharing requests (共享申请) still open, with the deadline each waits on and whether it
    is past; exits 1 when any is overdue."""
    today, deadlines = settings(as_of, **periods)
    graph = open_service().graph(operator())
    try:
        rows = request_status(graph, as_of=today, deadlines=deadlines)
    except CalendarRangeError as exc:
        raise click.ClickException(str(exc)) from None
    if overdue:
        rows = [r for r in rows if r.overdue]
    elif not show_all:
        rows = [r for r in rows if r.stage.startswith("awaiting")]
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
    else:
        _table(rows, today)
    if any(r.overdue for r in rows):
        raise SystemExit(1)


def _table(rows: list[RequestStatus], today: date) -> None:
    out = console()
    title = t("title.request_status", day=today.isoformat())
    if not rows:
        out.print(t("none_found", title=title))
        return
    heads = ["request", "requester", "provider", "asked for", "submitted", "stage", "due", "overdue"]
    cells = [
        [
            r.request,
            r.requester_name or "",
            r.provider_name or "",
            r.target_name or "",
            r.submitted_on,
            t_or(f"stage.{r.stage}", r.stage),
            r.due or (t("request.beyond_calendar") if r.stage.startswith("awaiting") else ""),
            t("request.overdue") if r.overdue else "",
        ]
        for r in rows
    ]
    out.print(table_of(f"{title} ({len(rows)})", [heading(h) for h in heads], cells, out))
