"""``registry import``: every file is checked, part by part, before anything is written
(``registry.service.checking``), so one bad value in the last file never leaves the first
ones half-loaded; then each file is read again and loaded as its own committed batch, so
an interrupted import keeps exactly the files it finished. One file into an embedded
registry is checked in a child process while it is written instead, and its write
commits only if the check passes (``import_one``). Memory is bounded by a part of a file
(a streamed catalogue's few thousand rows), not by the file."""

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from registry import importers
from registry.cli.context import discard_store, open_service, operator, store_location, store_option
from registry.cli.migrate import restorable, restore_export
from registry.collector import gc_paused
from registry.i18n import plural, t
from registry.importers.issue_report import write_issue_report
from registry.importers.native import NAME as NATIVE
from registry.schema.records import OUTCOMES, NodeRef
from registry.service import (
    DEFAULT_RETIRE_LIMIT,
    Caller,
    Declaration,
    ImportRejected,
    InvalidInput,
    Issue,
    LoadReport,
    RegistryService,
    RetireLimitExceeded,
    ServiceError,
)
from registry.service.checking import Checked, check
from registry.service.declaration import DeclarationStream
from registry.service.errors import rejected_rows
from registry.service.forked_check import can_fork

EXIT_INVALID = 2
"""Exit status when input was refused (bad values, unreadable files, unknown format):
the same as click's usage errors, so scripts can tell "fix your file" from "it broke"."""

COLUMNS = (*OUTCOMES, "rejected")
RETIRED_SHOWN = 50
ISSUES_SHOWN = 20
"""Issues printed per file and column; the rest are counted, and all of them go to the
report workbook (a file of 200,000 bad rows once spent a minute printing them)."""


class InputRefused(click.ClickException):
    exit_code = EXIT_INVALID


@dataclass
class FileOutcome:
    """What one file did (or, in a dry run, would do) to the store."""

    path: Path
    declaration: Declaration
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    retired: list[NodeRef] = field(default_factory=list)
    batch: str | None = None
    limit_hit: list[str] = field(default_factory=list)
    names: dict[NodeRef, str] = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return self.declaration.rejected

    def total(self, outcome: str) -> int:
        if outcome == "rejected":
            return self.rejected
        return sum(c[outcome] for c in self.counts.values())


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@dataclass
class Source:
    """One file of an import: its parts, read again for each pass, and what checking it found."""

    path: Path
    stream: DeclarationStream
    checked: Checked

    @property
    def declaration(self) -> Declaration:
        return self.checked.summary


def check_files(
    paths: Sequence[Path],
    fmt: str | None,
    *,
    skip_invalid: bool,
    console: Console,
    opened: Mapping[Path, DeclarationStream] | None = None,
) -> list[Source]:
    """Read and check every file, holding a part of one at a time; a file that cannot be
    read at all is refused with its reason, never a traceback. ``opened``: files whose
    parts were opened already (``opened_file``), not sniffed or read again."""
    sources: list[Source] = []
    with _progress(console) as progress:
        task = progress.add_task("reading", total=len(paths))
        for path in paths:
            progress.update(task, description=f"reading {path.name}")
            stream = (opened or {}).get(path) or opened_file(path, fmt, skip_invalid=skip_invalid)
            try:
                with gc_paused():
                    checked = check(stream, skip_invalid=skip_invalid)
            except (OSError, ServiceError) as exc:
                raise _refused(path, exc) from None
            sources.append(Source(path, stream, checked))
            progress.advance(task)
    return sources


def opened_file(path: Path, fmt: str | None, *, skip_invalid: bool) -> DeclarationStream:
    """``importers.stream``, a file that cannot be opened or sniffed refused with its reason."""
    try:
        return importers.stream(path, fmt, skip_invalid=skip_invalid)
    except (OSError, ServiceError) as exc:
        raise _refused(path, exc) from None


def _refused(path: Path, exc: Exception) -> InputRefused:
    """The refusal of a file for ``exc``, naming the file once."""
    return InputRefused(str(exc) if str(path) in str(exc) else f"{path}: {exc}")


def _not_written(path: Path, exc: ServiceError, kept: str = "") -> click.ClickException:
    """A write refused for ``exc``: nothing of ``path`` is in the registry (``kept``: what
    earlier files of the import left there); a retire limit says how to go past it."""
    message = f"{path}: {exc}.\nNothing from this file was written{kept}."
    if isinstance(exc, RetireLimitExceeded):
        message += " Run with --dry-run to see what would be retired, then --force or a higher --retire-limit."
    return click.ClickException(message)


def _delta(now: dict[str, Counter[str]], before: dict[str, Counter[str]]) -> dict[str, Counter[str]]:
    delta: dict[str, Counter[str]] = {}
    for kind, counter in now.items():
        diff = Counter(counter)
        diff.subtract(before.get(kind, Counter()))
        delta[kind] = +diff
    return delta


def _dry_run(
    service: RegistryService, caller: Caller, sources: list[Source], outcomes: list[FileOutcome], progress: Progress
) -> None:
    """Each file is tried on top of the ones before it (a catalogue may point at the
    departments an earlier file declares), and its share is the difference; nothing is kept."""
    task = progress.add_task("dry run", total=len(outcomes))
    before: dict[str, Counter[str]] = {}
    retired_before: set[NodeRef] = set()
    hits_before: set[str] = set()
    for i, outcome in enumerate(outcomes):
        progress.update(task, description=f"dry run {outcome.path.name}")
        upto = DeclarationStream.joined([source.stream for source in sources[: i + 1]])
        report = service.load_stream(upto, caller, dry_run=True, skip_invalid=True)
        outcome.counts = _delta(report.result.counts, before)
        outcome.retired = [ref for ref in report.retired if ref not in retired_before]
        outcome.limit_hit = [hit for hit in report.limit_hit if hit not in hits_before]
        outcome.names = _names(service, caller, outcome.retired)
        before = report.result.counts
        retired_before.update(report.retired)
        hits_before.update(report.limit_hit)
        progress.advance(task)


def _names(service: RegistryService, caller: Caller, refs: Sequence[NodeRef]) -> dict[NodeRef, str]:
    """Names of the entries a dry run would retire, so a reviewer sees what, not only keys."""
    names: dict[NodeRef, str] = {}
    by_label: dict[str, set[str]] = {}
    for ref in refs[:RETIRED_SHOWN]:
        by_label.setdefault(ref.label, set()).add(ref.key)
    for label, keys in by_label.items():
        for key, record in service.get_many(caller, label, keys).items():
            name = record.props.get("name")
            if name:
                names[NodeRef(label, key)] = str(name)
    return names


def load_files(
    service: RegistryService,
    caller: Caller,
    sources: list[Source],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    force: bool = False,
    retire_limit: float = DEFAULT_RETIRE_LIMIT,
    console: Console,
) -> list[FileOutcome]:
    """Load each file as its own batch, in order. On a refusal (retire limit, a relation
    to a missing entry) the files before it stay loaded and the error says so."""
    outcomes = [FileOutcome(source.path, source.declaration) for source in sources]
    with _progress(console) as progress:
        if dry_run:
            _dry_run(service, caller, sources, outcomes, progress)
            return outcomes
        task = progress.add_task("writing", total=len(outcomes))
        for i, outcome in enumerate(outcomes):
            progress.update(task, description=f"writing {outcome.path.name}")
            try:
                report: LoadReport = service.load_stream(
                    sources[i].stream,
                    caller,
                    skip_invalid=skip_invalid,
                    force=force,
                    retire_limit=retire_limit,
                    checked=sources[i].checked,
                )
            except ServiceError as exc:
                raise _not_written(outcome.path, exc, _kept(outcomes[:i])) from None
            outcome.counts, outcome.retired, outcome.batch = report.result.counts, report.retired, report.batch
            progress.advance(task)
    return outcomes


def _kept(done: Sequence[FileOutcome]) -> str:
    if not done:
        return ""
    return "; the files before it were loaded: " + ", ".join(str(o.path) for o in done)


def issues_table(issues: Sequence[Issue], title: str) -> Table:
    """The first ``ISSUES_SHOWN`` issues of each file and column, and how many more."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in ("file", "row", "column", "value", "reason"):
        table.add_column(t(f"col.{column}"), overflow="fold")
    seen: Counter[tuple[str, str | None]] = Counter()
    for issue in issues:
        where = (issue.file, issue.column)
        seen[where] += 1
        if seen[where] > ISSUES_SHOWN:
            continue
        table.add_row(
            Path(issue.file).name,
            "" if issue.row is None else str(issue.row),
            issue.column or "",
            "" if issue.value is None else repr(issue.value[:200]),
            issue.reason,
        )
    for (file, named), n in seen.items():
        if n > ISSUES_SHOWN:
            table.add_row(Path(file).name, "…", named or "", "", t("import.more_like_these", n=f"{n - ISSUES_SHOWN:,}"))
    return table


def held_back(issues: Sequence[Issue]) -> bool:
    """Whether a table of these issues leaves some out."""
    return any(n > ISSUES_SHOWN for n in Counter((i.file, i.column, i.severity) for i in issues).values())


def summary_table(outcomes: Sequence[FileOutcome], *, dry_run: bool) -> Table:
    title = t("import.dry_summary") if dry_run else t("import.summary")
    table = Table(title=title, title_justify="left")
    table.add_column(t("col.file"))
    for column in COLUMNS:
        table.add_column(t(f"outcome.{column}"), justify="right")
    for outcome in outcomes:
        table.add_row(outcome.path.name, *(str(outcome.total(c)) for c in COLUMNS))
    if len(outcomes) > 1:
        table.add_section()
        table.add_row(t("col.total"), *(str(sum(o.total(c) for o in outcomes)) for c in COLUMNS), style="bold")
    return table


def kinds_table(outcomes: Sequence[FileOutcome]) -> Table:
    """Changes per node label and edge type, so a dry run says what, not just how many."""
    totals: dict[str, Counter[str]] = {}
    for outcome in outcomes:
        for kind, counter in outcome.counts.items():
            totals.setdefault(kind, Counter()).update(counter)
    table = Table(title=t("import.by_kind"), title_justify="left")
    table.add_column(t("col.kind"))
    for column in OUTCOMES:
        table.add_column(t(f"outcome.{column}"), justify="right")
    for kind in sorted(totals):
        table.add_row(kind, *(str(totals[kind][c]) for c in OUTCOMES))
    return table


def print_outcomes(console: Console, outcomes: Sequence[FileOutcome], *, dry_run: bool) -> None:
    console.print(summary_table(outcomes, dry_run=dry_run))
    if dry_run:
        console.print(kinds_table(outcomes))
    for outcome in outcomes:
        for hit in outcome.limit_hit:
            console.print(f"[bold red]{outcome.path.name}: {t('import.limit_would_hit', detail=hit)}[/bold red]")
        rejected = outcome.rejected
        if rejected and outcome.declaration.left_out:
            rows = rejected_rows(outcome.declaration.errors)
            console.print(f"{outcome.path.name}: {t('import.rejected_resources', rows=rows, resources=rejected)}")
    retired = [ref for o in outcomes for ref in o.retired]
    names = {ref: name for o in outcomes for ref, name in o.names.items()}
    if retired:
        key = "import.retired_list" if dry_run else "import.retired_done"
        entries = plural(len(retired), "entry", "entries")
        console.print(f"[bold]{t(key, n=len(retired), entries=entries)}[/bold]")
        for ref in retired[:RETIRED_SHOWN]:
            name = names.get(ref)
            console.print(f"  {ref}" + (f"  {name}" if name else ""), markup=False)
        if len(retired) > RETIRED_SHOWN:
            console.print(f"  {t('and_more', n=len(retired) - RETIRED_SHOWN)}")


def run_import(
    paths: Sequence[Path],
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    force: bool = False,
    retire_limit: float = DEFAULT_RETIRE_LIMIT,
    report: Path | None = None,
    as_json: bool = False,
    console: Console,
) -> list[FileOutcome]:
    """The whole import path, shared by ``registry import`` and ``registry demo``. Every
    file is read (once) and checked before anything is written, an export restored into
    an empty store included; one file is read and checked while it is written, where its
    write commits only if the check passes (``import_one``)."""
    paths = list(paths)
    progress_console = Console(stderr=True)
    options = Options(skip_invalid, force, retire_limit, report, as_json)
    opened: dict[Path, DeclarationStream] = {}
    if len(paths) == 1 and not dry_run:
        opened[paths[0]] = opened_file(paths[0], fmt, skip_invalid=skip_invalid)
        done = import_one(paths[0], opened[paths[0]], options, console=console)
        if done is not None:
            return done
    sources = check_files(paths, fmt, skip_invalid=skip_invalid, console=progress_console, opened=opened)
    declarations = [source.declaration for source in sources]
    _report_issues(paths, declarations, options, console)
    service = open_service(create=True)
    chosen = restorable(service, declarations)
    if chosen is not None:
        try:
            restore_export(service, operator(), paths[chosen], declarations[chosen], dry_run=dry_run, console=console)
        except ServiceError as exc:
            raise InputRefused(str(exc)) from None
        del paths[chosen], declarations[chosen], sources[chosen]
        if not paths:
            return []
    outcomes = load_files(
        service,
        operator(),
        sources,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        force=force,
        retire_limit=retire_limit,
        console=progress_console,
    )
    _print_result(paths, declarations, outcomes, options, console, status="dry_run" if dry_run else "loaded")
    return outcomes


@dataclass(frozen=True)
class Options:
    """What an import was asked to do beyond its files."""

    skip_invalid: bool = False
    force: bool = False
    retire_limit: float = DEFAULT_RETIRE_LIMIT
    report: Path | None = None
    as_json: bool = False


def import_one(
    path: Path, stream: DeclarationStream, options: Options, *, console: Console
) -> list[FileOutcome] | None:
    """One file read and checked in a child process while this one writes it
    (``registry.service.forked_check``): the write commits only once the whole file is
    found clean (or its bad rows are skipped as asked), so a refused file leaves nothing,
    as when it is checked first, in about half the time on a machine with two cores; a
    registry made for it is removed again. None where that cannot be: the store commits a
    load chunk by chunk (Neo4j), the process runs other threads, or the file may be an
    export to restore into an empty registry (which needs it read whole first); the caller
    then checks the file before writing it, from ``stream`` again."""
    location = store_location()
    if "://" in location:
        return None
    made = not Path(location).exists()
    if not can_fork(stream) or (made and stream.format == NATIVE):
        return None
    service = open_service(create=True)
    kept = False
    try:
        caller = operator()
        if not service.forks_check(stream, caller) or (stream.format == NATIVE and service.is_empty()):
            return None
        loaded = _load_one(service, caller, path, stream, options, console)
        kept = True
    finally:
        if made and not kept:
            discard_store(service)
    declaration = Declaration(source=str(path), format=stream.format, issues=loaded.issues, left_out=loaded.left_out)
    _report_issues([path], [declaration], options, console)
    outcome = FileOutcome(path, declaration, loaded.result.counts, loaded.retired, loaded.batch)
    _print_result([path], [declaration], [outcome], options, console, status="loaded")
    return [outcome]


def _load_one(
    service: RegistryService,
    caller: Caller,
    path: Path,
    stream: DeclarationStream,
    options: Options,
    console: Console,
) -> LoadReport:
    """``import_one``'s load, each refusal told as when the file is checked first."""
    with _progress(Console(stderr=True)) as progress:
        progress.add_task(f"importing {path.name}", total=None)
        try:
            return service.load_stream(
                stream,
                caller,
                skip_invalid=options.skip_invalid,
                force=options.force,
                retire_limit=options.retire_limit,
            )
        except ImportRejected as exc:
            refused = Declaration(source=str(path), format=stream.format, issues=exc.issues)
            _write_workbooks([path], exc.issues, options, console)
            _refuse([path], [refused], [i for i in exc.issues if i.severity == "error"], options, console)
        except InvalidInput as exc:
            raise _refused(path, exc) from None
        except ServiceError as exc:
            raise _not_written(path, exc) from None


def _report_issues(
    paths: Sequence[Path], declarations: Sequence[Declaration], options: Options, console: Console
) -> None:
    """The issues of the files read: every one to a workbook when asked for (or when some
    are held back from the tables), then the tables; files with errors not to be skipped
    refuse the import."""
    issues = [i for d in declarations for i in d.issues]
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    _write_workbooks(paths, issues, options, console)
    if errors and not options.skip_invalid:
        _refuse(paths, declarations, errors, options, console)
    if not options.as_json:
        if errors:
            console.print(issues_table(errors, t("import.invalid_skipped", n=len(errors))))
        if warnings:
            console.print(issues_table(warnings, t("import.warnings", n=len(warnings))))


def _write_workbooks(paths: Sequence[Path], issues: Sequence[Issue], options: Options, console: Console) -> None:
    report = options.report
    if report is None and held_back(issues) and not options.as_json:
        # the tables show the first of each column; every issue goes to a workbook per file
        report = paths[0].with_name(paths[0].name + ".issues.xlsx")
    if report is not None:
        _write_reports(report, paths, issues, console)


def _refuse(
    paths: Sequence[Path],
    declarations: Sequence[Declaration],
    errors: Sequence[Issue],
    options: Options,
    console: Console,
) -> NoReturn:
    if options.as_json:
        click.echo(results_json(paths, declarations, [], status="refused"))
    else:
        console.print(issues_table(errors, t("import.invalid_title", n=len(errors))))
    raise InputRefused(t("import.refused", n=len(errors), files=len({i.file for i in errors})))


def _print_result(
    paths: Sequence[Path],
    declarations: Sequence[Declaration],
    outcomes: Sequence[FileOutcome],
    options: Options,
    console: Console,
    *,
    status: str,
) -> None:
    if options.as_json:
        click.echo(results_json(paths, declarations, outcomes, status=status))
    else:
        print_outcomes(console, outcomes, dry_run=status == "dry_run")


def _write_reports(report: Path, paths: Sequence[Path], issues: Sequence[Issue], console: Console) -> None:
    """One workbook per source file: FILE itself for one file, FILE-<source>.xlsx for several."""
    for path in paths:
        target = report if len(paths) == 1 else report.with_name(f"{report.stem}-{path.stem}{report.suffix or '.xlsx'}")
        try:
            write_issue_report(target, path, issues)
        except OSError as exc:
            raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from None
        Console(stderr=True).print(t("import.report_written", path=target), markup=False, highlight=False)


def results_json(
    paths: Sequence[Path], declarations: Sequence[Declaration], outcomes: Sequence[FileOutcome], *, status: str
) -> str:
    """One result per file for scheduled import jobs: batch id, counts by outcome and by
    kind, every issue. Identifiers stay stable; messages are in the chosen language."""
    by_path = {o.path: o for o in outcomes}
    results = []
    for path, declaration in zip(paths, declarations, strict=True):
        outcome = by_path.get(path)
        file_status = status if outcome is not None or status == "refused" else "not_loaded"
        if status == "refused" and not declaration.errors:
            file_status = "not_loaded"
        results.append(
            {
                "file": str(path),
                "format": declaration.format,
                "status": file_status,
                "batch": outcome.batch if outcome else None,
                "counts": {c: outcome.total(c) for c in COLUMNS} if outcome else {"rejected": declaration.rejected},
                "by_kind": {k: dict(v) for k, v in sorted(outcome.counts.items())} if outcome else {},
                "retired": [{"label": r.label, "key": r.key, "name": outcome.names.get(r)} for r in outcome.retired]
                if outcome
                else [],
                "retire_limit_hit": outcome.limit_hit if outcome else [],
                "issues": [
                    {
                        "row": i.row,
                        "column": i.column,
                        "value": i.value,
                        "reason": i.reason,
                        "severity": i.severity,
                    }
                    for i in declaration.issues
                ],
            }
        )
    return json.dumps(results, ensure_ascii=False, indent=2)


def _format_choice() -> click.Choice[str]:
    return click.Choice(sorted(importers.formats()), case_sensitive=False)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=_format_choice(), help="File format (default: recognised from each file).")
@click.option("--dry-run", is_flag=True, help="Show what would change, including what would be retired; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Load the valid rows and report the invalid ones.")
@click.option("--force", is_flag=True, help="Retire entries even beyond --retire-limit.")
@click.option(
    "--retire-limit",
    type=click.FloatRange(0.0, 1.0),
    default=DEFAULT_RETIRE_LIMIT,
    show_default=True,
    help="Largest share of a department's entries one file may retire without --force.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write FILE.xlsx to send back to the department: its sheet with every bad cell highlighted and "
    "explained, a summary and the full list of issues.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one machine-readable result per file (for import jobs).")
@store_option
def import_command(
    files: tuple[Path, ...],
    fmt: str | None,
    dry_run: bool,
    skip_invalid: bool,
    force: bool,
    retire_limit: float,
    report: Path | None,
    as_json: bool,
) -> None:
    """Import catalogue files (CSV, XLSX, native JSON/YAML), each as its own batch.

    Every file is read and checked first: if any value is invalid, all of them are listed
    (file, row, column, value, reason), nothing is written and the exit status is 2.
    """
    run_import(
        files,
        fmt=fmt,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        force=force,
        retire_limit=retire_limit,
        report=report,
        as_json=as_json,
        console=Console(stderr=as_json),
    )
