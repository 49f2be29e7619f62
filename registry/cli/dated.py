"""``--as-of`` and the deadline periods, shared by ``registry check`` and ``registry requests``.

Deadlines default to the periods of decree 809 (``Deadlines``); a province with other
periods passes ``--reply-days``, ``--delivery-days`` and ``--unconditional-days`` (see
docs/policy-rules.md). Dated duties are judged as of ``--as-of``, today by default.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import click

from registry.analysis.requests import Deadlines


def policy_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--as-of`` and the three deadline periods."""
    defaults = Deadlines()
    for name, flag, what in (
        ("unconditional_delivery", "--unconditional-days", "deliver an unconditional dataset"),
        ("delivery", "--delivery-days", "deliver after an agreement"),
        ("reply", "--reply-days", "reply to a request"),
    ):
        func = click.option(
            flag,
            name,
            type=click.IntRange(1, 365),
            default=getattr(defaults, name),
            show_default=True,
            help=f"Working days to {what}.",
        )(func)
    return click.option(
        "--as-of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Judge dated duties (reports, deadlines) as of this day (YYYY-MM-DD); default today.",
    )(func)


def settings(as_of: datetime | None, reply: int, delivery: int, unconditional_delivery: int) -> tuple[date, Deadlines]:
    return (as_of.date() if as_of else date.today()), Deadlines(
        unconditional_delivery=unconditional_delivery, reply=reply, delivery=delivery
    )
