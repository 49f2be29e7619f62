"""Registration mutations. Each builds the same models and edges an import would and
hands them to the service with the caller, whose token identity becomes the provenance;
the service decides whether the caller may write them (role, own department, clearance)."""

import dataclasses
import tempfile
from datetime import date
from pathlib import Path, PurePath
from typing import Any

import anyio.to_thread
import strawberry
from strawberry.file_uploads import Upload

from registry.graphql.inputs import (
    DatasetInput,
    DepartmentInput,
    FieldInput,
    FieldRefInput,
    NeedInput,
    NodeRefInput,
    SystemInput,
    to_model,
)
from registry.graphql.nodes import Ctx, Node, node_of
from registry.graphql.reviews import ReviewMutation
from registry.schema.model import DataElement, Dataset, Department, FieldItem, Need, NodeModel, System, field_key
from registry.schema.records import NodeRef
from registry.service import EdgeDecl, ImportRejected, LoadReport, PermissionDenied, ServiceError
from registry.service.errors import Issue, rejected_rows


@strawberry.type(description="The outcome of a registration: counts of what changed and the registered nodes.")
class WriteResult:
    batch: str | None = strawberry.field(description="The import batch recording this write; null if nothing changed.")
    created: int
    updated: int
    unchanged: int
    retired: int
    nodes: list[Node]


@strawberry.type(description="One bad value in an uploaded catalogue, located as the CLI reports it.")
class ImportIssue:
    file: str
    row: str | None
    column: str | None
    value: str | None
    reason: str
    severity: str

    @classmethod
    def of(cls, issue: Issue) -> "ImportIssue":
        return cls(
            file=issue.file,
            row=None if issue.row is None else str(issue.row),
            column=issue.column,
            value=issue.value,
            reason=issue.reason,
            severity=issue.severity,
        )


@strawberry.type(description="The outcome of a catalogue upload; with errors and no skipInvalid nothing is written.")
class ImportResult:
    written: bool
    dry_run: bool
    batch: str | None
    created: int
    updated: int
    unchanged: int
    retired: int
    rejected: int
    issues: list[ImportIssue]


def _write(info: Ctx, source: str, nodes: list[NodeModel], edges: list[EdgeDecl], show: list[NodeRef]) -> WriteResult:
    context = info.context
    report = context.service.upsert(context.caller, nodes, edges, source=f"graphql:{source}")
    return write_result(info, report, show)


def write_result(info: Ctx, report: LoadReport, show: list[NodeRef]) -> WriteResult:
    """What a write did, with the written nodes as the caller now sees them."""
    context = info.context
    context.reset()
    shown: list[Node] = []
    for ref in show:
        record = context.service.get_many(context.caller, ref.label, [ref.key]).get(ref.key)
        if record is not None:
            shown.append(node_of(record))
    totals = report.result.totals()
    return WriteResult(
        batch=report.batch if report.result.changed else None,
        created=totals["created"],
        updated=totals["updated"],
        unchanged=totals["unchanged"],
        retired=totals["retired"],
        nodes=shown,
    )


def _ref(model: NodeModel) -> NodeRef:
    return NodeRef(model.LABEL, model.key())


def _import_result(report: LoadReport, dry_run: bool) -> ImportResult:
    totals = report.totals
    return ImportResult(
        written=report.result.changed and not dry_run,
        dry_run=dry_run,
        batch=report.batch if report.result.changed and not dry_run else None,
        created=totals["created"],
        updated=totals["updated"],
        unchanged=totals["unchanged"],
        retired=totals["retired"],
        rejected=totals["rejected"],
        issues=[ImportIssue.of(i) for i in report.issues],
    )


@strawberry.type
class Mutation(ReviewMutation):
    @strawberry.mutation(description="Register or update a department.")
    def upsert_department(self, info: Ctx, input: DepartmentInput) -> WriteResult:
        department = to_model(Department, input)
        return _write(info, "upsertDepartment", [department], [], [_ref(department)])

    @strawberry.mutation(description="Register or update a system operated by `department`.")
    def upsert_system(self, info: Ctx, input: SystemInput, department: str) -> WriteResult:
        system = to_model(System, input)
        edges = [EdgeDecl("OPERATES", NodeRef("Department", department), _ref(system))]
        return _write(info, "upsertSystem", [system], edges, [_ref(system)])

    @strawberry.mutation(description="Register or update a dataset provided by `provider`, with its fields.")
    def upsert_dataset(
        self,
        info: Ctx,
        input: DatasetInput,
        provider: str,
        fields: list[FieldInput] | None = None,
        held_by: list[str] | None = None,
    ) -> WriteResult:
        dataset = to_model(Dataset, input)
        ref = _ref(dataset)
        nodes: list[NodeModel] = [dataset]
        edges = [EdgeDecl("PROVIDES", NodeRef("Department", provider), ref)]
        edges += [EdgeDecl("HOLDS", NodeRef("System", code), ref) for code in held_by or []]
        for item in fields or []:
            field = to_model(FieldItem, item, skip=("element",), dataset=dataset.key())
            nodes.append(field)
            edges.append(EdgeDecl("HAS_FIELD", ref, _ref(field)))
            if item.element:
                edges.append(EdgeDecl("MEANS", _ref(field), NodeRef(DataElement.LABEL, item.element)))
        return _write(info, "upsertDataset", nodes, edges, [ref])

    @strawberry.mutation(description="Declare that a department or system needs a dataset or data element.")
    def declare_need(self, info: Ctx, input: NeedInput, requester: NodeRefInput, target: NodeRefInput) -> WriteResult:
        need = to_model(Need, input)
        edges = [EdgeDecl("NEEDS", requester.ref(), _ref(need)), EdgeDecl("FOR", _ref(need), target.ref())]
        return _write(info, "declareNeed", [need], edges, [_ref(need)])

    @strawberry.mutation(description="Record that a dataset is shared with a department or system.")
    def record_sharing(
        self,
        info: Ctx,
        dataset: str,
        recipient: NodeRefInput,
        agreement: str | None = None,
        since: date | None = None,
    ) -> WriteResult:
        props = {k: v for k, v in {"agreement": agreement, "since": since and since.isoformat()}.items() if v}
        ref = NodeRef("Dataset", dataset)
        return _write(info, "recordSharing", [], [EdgeDecl("SHARED_WITH", ref, recipient.ref(), props)], [ref])

    @strawberry.mutation(description="Record that a field is derived from another (traceability lineage).")
    def record_lineage(
        self, info: Ctx, field: FieldRefInput, derived_from: FieldRefInput, processing_method: str | None = None
    ) -> WriteResult:
        src = NodeRef("Field", field_key(field.dataset, field.name))
        dst = NodeRef("Field", field_key(derived_from.dataset, derived_from.name))
        props = {"processing_method": processing_method} if processing_method else {}
        return _write(info, "recordLineage", [], [EdgeDecl("DERIVED_FROM", src, dst, props)], [src])

    @strawberry.mutation(description="Load a catalogue file (multipart upload) with the same importers as the CLI.")
    async def import_catalogue(
        self,
        info: Ctx,
        file: Upload,
        format: str | None = None,
        skip_invalid: bool = False,
        dry_run: bool = False,
    ) -> ImportResult:
        from registry.importers.isolated import read_isolated

        context = info.context
        if not context.caller.can_write:
            # before a byte of the upload is read: an anonymous caller of a public-view
            # server once reached the parser, and with it a 4.7 KB workbook bomb
            raise PermissionDenied("this caller may read but not write")
        limits = context.limits
        upload: Any = file  # starlette's UploadFile at run time; strawberry types the scalar as bytes
        name = PurePath(getattr(upload, "filename", None) or "upload").name
        with tempfile.TemporaryDirectory(prefix="registry-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(await upload.read())
            try:
                declaration = await anyio.to_thread.run_sync(
                    lambda: read_isolated(
                        path,
                        format,
                        skip_invalid=skip_invalid,
                        seconds=limits.upload_seconds,
                        memory=limits.upload_memory,
                    )
                )
            except ServiceError as exc:
                raise type(exc)(str(exc).replace(str(path), name).replace(folder, "")) from None
        declaration.source = f"upload:{name}"
        declaration.issues = [dataclasses.replace(i, file=name) for i in declaration.issues]
        try:
            report = context.service.load(declaration, context.caller, dry_run=dry_run, skip_invalid=skip_invalid)
        except ImportRejected as exc:
            return ImportResult(
                written=False,
                dry_run=dry_run,
                batch=None,
                created=0,
                updated=0,
                unchanged=0,
                retired=0,
                rejected=rejected_rows(exc.issues),
                issues=[ImportIssue.of(i) for i in exc.issues],
            )
        context.reset()
        return _import_result(report, dry_run)
