"""The ``registry`` command. Each command group lives in its own module and is added here."""

import click

from registry.cli import analyses, serve, synth
from registry.cli.context import store_option
from registry.cli.demo import demo_command
from registry.cli.load import import_command
from registry.cli.migrate import export_command
from registry.cli.show import show_command
from registry.cli.stats import stats_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@store_option
@click.version_option(package_name="registry")
def main() -> None:
    """Registry of inter-department government data sharing."""


# Command modules register here, one line each: main.add_command(module.command).
main.add_command(import_command)
main.add_command(show_command)
main.add_command(stats_command)
main.add_command(demo_command)
main.add_command(analyses.duplicates_command)
main.add_command(analyses.gaps_command)
main.add_command(analyses.check_command)
main.add_command(analyses.lineage_command)
main.add_command(export_command)
main.add_command(serve.serve_command)
main.add_command(serve.token_group)
main.add_command(synth.synth_command)
