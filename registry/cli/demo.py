"""``registry demo``: load the bundled demo registry through the ordinary import path and
show what the registry makes of it.

The "what the registry found" section is a list of reports, each a function of the
service and the caller returning something rich can print (or None when it has nothing
to say); adding a block of findings is one entry in ``REPORTS``.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.table import Table

from registry import demo
from registry.cli.analyses import findings_report
from registry.cli.context import open_service, operator, store_option
from registry.cli.load import run_import
from registry.cli.serve import serve_options, start
from registry.i18n import label, label_of, t
from registry.schema.enums import Network, SecrecyLevel, ShareType
from registry.service import Caller, RegistryService

Report = Callable[[RegistryService, Caller], RenderableType | None]


def systems_by_network(service: RegistryService, caller: Caller) -> RenderableType | None:
    """Where the systems run and how they are classified: the ground the placement rules judge."""
    graph = service.graph(caller, labels=["System"], edge_types=[])
    counts = Counter(
        (attrs.get("network") or "", attrs.get("secrecy_level") or SecrecyLevel.NONE)
        for _, attrs in graph.nodes(data=True)
    )
    if not counts:
        return None
    levels = [level for level in SecrecyLevel if any(key[1] == level for key in counts)]
    table = Table(title=t("demo.systems"), title_justify="left")
    table.add_column(t("head.network"))
    for level in levels:
        table.add_column(label(level), justify="right")
    for network in sorted({key[0] for key in counts}):
        shown = label_of(Network, network) if network else t("demo.undeclared")
        table.add_row(shown, *(str(counts[(network, level)] or "") for level in levels))
    return table


def datasets_by_share_type(service: RegistryService, caller: Caller) -> RenderableType | None:
    """How much is declared shareable and how much of it is actually shared with someone."""
    graph = service.graph(caller, labels=["Dataset", "Department", "System"], edge_types=["SHARED_WITH"])
    datasets = [(node, attrs) for node, attrs in graph.nodes(data=True) if attrs["label"] == "Dataset"]
    if not datasets:
        return None
    table = Table(title=t("demo.datasets"), title_justify="left")
    for index, column in enumerate((t("facet.share_type"), t("demo.col.datasets"), t("demo.col.shared"))):
        table.add_column(column, justify="right" if index else "left")
    total: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    for node, attrs in datasets:
        kind = attrs.get("share_type") or ""
        total[kind] += 1
        shared[kind] += graph.out_degree(node) > 0
    for kind in sorted(total):
        table.add_row(label_of(ShareType, kind) if kind else t("demo.undeclared"), str(total[kind]), str(shared[kind]))
    return table


REPORTS: list[Report] = [systems_by_network, datasets_by_share_type, findings_report]


@click.command("demo")
@store_option
@click.option("--serve", "serve_after", is_flag=True, help="Then serve it over GraphQL (see registry serve).")
@serve_options
def demo_command(serve_after: bool, **serve_settings: Any) -> None:
    """Load the bundled demo registry (11 departments, 30 systems, 63 datasets) and show
    what the registry finds in it. Loading it again changes nothing."""
    console = Console()
    console.print(Rule(t("demo.loading")))
    run_import(demo.files(), console=console)
    service = open_service()
    caller = operator()
    console.print(Rule(t("demo.found_rule")))
    for report in REPORTS:
        rendered = report(service, caller)
        if rendered is not None:
            console.print(rendered)
    if serve_after:
        start(**serve_settings)
