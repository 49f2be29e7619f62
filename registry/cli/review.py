"""``registry review``: the findings review from the command line, the same decisions the
web page and the ``reviewFinding`` mutation record (stored as ``Review`` entries with the
operator as author), and the XLSX report of the confirmed findings."""

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from registry.analysis import catalog
from registry.analysis.workbook import confirmed_rows, findings_workbook
from registry.cli.context import open_service, operator, store_option
from registry.i18n import t
from registry.schema.records import NodeRecord, NodeRef
from registry.service import Caller, RegistryService, ServiceError


def _state(service: RegistryService, caller: Caller) -> tuple[list[catalog.Finding], dict[str, NodeRecord]]:
    found = catalog.all_findings(service.graph(caller), service.rows(caller))
    return found, {r.key: r for r in service.find(caller, "Review")}


@click.group("review")
def review_group() -> None:
    """Findings review: list findings with their status, confirm or dismiss them, export the confirmed ones."""


@review_group.command("list")
@store_option
@click.option("--status", type=click.Choice(catalog.STATUSES), default=None, help="Only findings with this status.")
@click.option("--rule", default=None, help="Only findings of this rule (DUP-1, NET-1, unmet_need, …).")
@click.option("--department", default=None, help="Only findings naming this department (code).")
def review_list(status: str | None, rule: str | None, department: str | None) -> None:
    """Findings of every analysis with their review status."""
    found, decided = _state(open_service(), operator())
    table = Table(title=t("review.title"))
    for column in ("id", "rule", "status", "finding", "subjects", "decision"):
        table.add_column(t(f"review.col.{column}"), overflow="fold", no_wrap=column == "id")
    for finding in found:
        current, stale = catalog.review_status(finding, decided.get(finding.id))
        if (status and current != status) or (rule and finding.rule != rule):
            continue
        if department and department not in finding.departments:
            continue
        review = decided.get(finding.id)
        note = f"{review.props.get('reason', '')}（{review.updated.by}）" if review is not None else ""
        table.add_row(
            finding.id,
            finding.rule,
            t(f"review.status.{current}") + (t("review.stale") if stale else ""),
            finding.message,
            "\n".join(finding.subjects),
            note,
        )
    Console().print(table)


def _decide(finding_id: str, decision: str, reason: str) -> None:
    service, caller = open_service(), operator()
    found, _ = _state(service, caller)
    finding = next((f for f in found if f.id == finding_id), None)
    if finding is None:
        raise click.ClickException(t("review.no_finding", id=finding_id))
    try:
        record = service.review(
            caller,
            finding=finding.id,
            rule=finding.rule,
            subjects=[NodeRef(*s.split(":", 1)) for s in finding.subjects],
            fingerprint=finding.fingerprint,
            decision=decision,
            reason=reason.strip(),
            message=finding.message,
            source="cli:review",
        )
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        t(
            "review.recorded",
            id=finding.id,
            status=t(f"review.status.{decision}"),
            by=record.updated.by,
            at=record.updated.at,
        )
    )


@review_group.command("confirm")
@store_option
@click.argument("finding_id")
@click.option("--reason", required=True, help="Why it is a real problem (goes into the report).")
def review_confirm(finding_id: str, reason: str) -> None:
    """Confirm a finding (by the id `registry review list` shows)."""
    _decide(finding_id, "confirmed", reason)


@review_group.command("dismiss")
@store_option
@click.argument("finding_id")
@click.option("--reason", required=True, help="Why it is not a problem; it stays dismissed until its evidence changes.")
def review_dismiss(finding_id: str, reason: str) -> None:
    """Dismiss a finding (by the id `registry review list` shows)."""
    _decide(finding_id, "dismissed", reason)


@review_group.command("export")
@store_option
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def review_export(path: Path) -> None:
    """Write the confirmed findings as an XLSX report to send to the departments."""
    service, caller = open_service(), operator()
    found, decided = _state(service, caller)
    rows = confirmed_rows(service.graph(caller), found, decided)
    try:
        path.write_bytes(findings_workbook(rows))
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(t("review.exported", path=path, n=len(rows)))
