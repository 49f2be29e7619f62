"""The ``registry`` command. Each command group lives in its own module and is added here."""

from typing import Any

import click

from registry.cli import analyses, requests, serve, synth
from registry.cli.browse import browse_command
from registry.cli.changes import changes_command
from registry.cli.context import store_option
from registry.cli.demo import demo_command
from registry.cli.load import import_command
from registry.cli.migrate import export_command
from registry.cli.review import review_group
from registry.cli.search import search_command
from registry.cli.show import show_command
from registry.cli.stats import stats_command
from registry.cli.subscribe import deliveries_command, subscribe_command, subscriptions_command, unsubscribe_command
from registry.cli.template import template_command
from registry.i18n import LANGUAGES, set_language
from registry.service import Busy


class _Registry(click.Group):
    """The command group, ending any command whose read the registry kept changing under
    (``Busy``, raised by the service after its retries) with the service's one-line
    message and exit code 1 instead of a traceback: the same command may simply be run
    again, and every command reads through the service."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Busy as exc:
            raise click.ClickException(str(exc)) from None


def _choose_language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    set_language(value)


@click.group(cls=_Registry, context_settings={"help_option_names": ["-h", "--help"]})
@store_option
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_choose_language,
    help="Language of tables and messages: zh (default) or en (also $REGISTRY_LANG or the locale).",
)
@click.version_option(package_name="registry")
def main() -> None:
    """政务数据共享登记库 — registry of inter-department government data sharing."""


# Command modules register here, one line each: main.add_command(module.command).
main.add_command(import_command)
main.add_command(show_command)
main.add_command(stats_command)
main.add_command(demo_command)
main.add_command(analyses.duplicates_command)
main.add_command(analyses.gaps_command)
main.add_command(analyses.check_command)
main.add_command(analyses.lineage_command)
main.add_command(requests.requests_command)
main.add_command(export_command)
main.add_command(serve.serve_command)
main.add_command(serve.token_group)
main.add_command(synth.synth_command)
main.add_command(template_command)
main.add_command(search_command)
main.add_command(changes_command)
main.add_command(browse_command)
for _command in (subscribe_command, subscriptions_command, unsubscribe_command, deliveries_command):
    main.add_command(_command)
main.add_command(review_group)
