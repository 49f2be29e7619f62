"""``registry synth``: write a generated registry as a native document with its ground
truth beside it, to try the importer and the analyses on a registry of any size."""

from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from registry.synth import generate, write_native
from registry.synth.native import COUNTED, DOCUMENT_SUFFIXES, read_truth

MIN_DATASETS = 100
"""Below this the generator cannot always find a system with enough extranet datasets to
plant a rebuilt system, and the planted mix stops resembling a registry."""


def _planted(truth: dict[str, Any]) -> Table:
    table = Table(title="Planted (ground truth)", title_justify="left")
    table.add_column("finding")
    table.add_column("count", justify="right")
    for kind, groups in truth["duplicates"].items():
        table.add_row(f"duplicate {kind.lower()} groups", str(len(groups)))
    for kind, n in sorted(Counter(g["kind"] for g in truth["gaps"]).items()):
        table.add_row(f"gap: {kind}", str(n))
    for rule, n in sorted(Counter(p["rule"] for p in truth["placement"]).items()):
        table.add_row(f"placement: {rule}", str(n))
    for kind, n in sorted(Counter(g["kind"] for g in truth.get("omitted", ())).items()):
        table.add_row(f"left out (an import rejects it): {kind}", str(n), style="dim")
    return table


@click.command("synth")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--datasets",
    type=click.IntRange(min=MIN_DATASETS),
    default=1000,
    show_default=True,
    help="Datasets before planting (the planted copies and samples add a few percent).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed writes the same file.")
@click.option("--clean", is_flag=True, help="Plant no duplicates, gaps or placement violations.")
def synth_command(out: Path, datasets: int, seed: int, clean: bool) -> None:
    """Write a synthetic registry to OUT (.json, or .yaml/.yml for small ones) and its
    ground truth to OUT's name with .truth.json."""
    if out.suffix.lower() not in DOCUMENT_SUFFIXES:
        raise click.BadParameter(f"the name must end in {', '.join(DOCUMENT_SUFFIXES)}", param_hint="OUT")
    synth = generate(datasets=datasets, seed=seed, plant=not clean)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        files = write_native(synth, out)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    truth = read_truth(files.truth)
    counts = ", ".join(f"{truth['config'][kind]} {kind}" for kind in COUNTED)
    console = Console()
    console.print(
        f"wrote {files.document}: {counts} (seed {seed})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"wrote {files.truth}: the ground truth", markup=False, highlight=False, soft_wrap=True)
    if clean:
        console.print("clean registry: nothing planted")
    else:
        console.print(_planted(truth))
