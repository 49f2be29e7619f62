"""The ``registry`` command. Each command group lives in its own module and is added here."""

import click

from registry.cli import analyses
from registry.cli.context import store_option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@store_option
@click.version_option(package_name="registry")
def main() -> None:
    """Registry of inter-department government data sharing."""


# Command modules register here, one line each: main.add_command(module.command).
main.add_command(analyses.duplicates_command)
main.add_command(analyses.gaps_command)
main.add_command(analyses.check_command)
main.add_command(analyses.lineage_command)
