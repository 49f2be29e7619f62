"""The policy rules over GraphQL: sharing requests (read, submit, reply, deliver),
authoritative sources, and the findings of PRJ-*, REQ-* and SRC-*.

As everywhere in the API, reads and analyses go through ``service.graph(caller)`` or the
service's finders, so a request for data the caller may not see is neither listed nor
counted nor named in a finding; writes become the same models and edges an import makes.
"""

from datetime import date
from typing import Any

import strawberry
from pydantic import ValidationError

from registry.analysis import projects, requests, sources
from registry.analysis.workdays import CalendarRangeError
from registry.graphql.connection import Connection
from registry.graphql.derive import from_result, input_type, result_type
from registry.graphql.inputs import NodeRefInput, to_model
from registry.graphql.mutations import WriteResult, _write
from registry.graphql.nodes import Ctx, SharingRequest
from registry.graphql.queries import _get, _list
from registry.schema import model
from registry.schema.enums import ReplyOutcome
from registry.schema.records import NodeRef
from registry.service import EdgeDecl, InvalidInput


@input_type(model.SharingRequest)
class SharingRequestInput:
    """A request; who asks whom for what are the mutation's arguments."""


@strawberry.input(description="Periods in working days; the defaults are decree 809's (docs/policy-rules.md).")
class DeadlinesInput:
    unconditional_delivery: int = requests.Deadlines.unconditional_delivery
    reply: int = requests.Deadlines.reply
    delivery: int = requests.Deadlines.delivery

    def periods(self) -> requests.Deadlines:
        try:
            return requests.Deadlines(self.unconditional_delivery, self.reply, self.delivery)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None


@result_type(
    projects.ProjectFinding, description="A project rule finding (PRJ-1..PRJ-4), with its source and evidence."
)
class ProjectFinding:
    """One PRJ finding."""


@result_type(requests.RequestFinding, description="A sharing-request deadline finding (REQ-1..REQ-4).")
class RequestFinding:
    """One REQ finding."""


@result_type(requests.RequestStatus, description="Where a sharing request stands as of a day.")
class RequestStatus:
    """One request's stage and deadline."""


@result_type(sources.SourceFinding, description="An authoritative-source finding (SRC-1..SRC-3).")
class SourceFinding:
    """One SRC finding."""


def _graph(info: Ctx) -> Any:
    return info.context.service.graph(info.context.caller)


def _judged(call: Any) -> Any:
    try:
        return call()
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc)) from None


@strawberry.type
class PolicyQuery:
    @strawberry.field(description="A sharing request (共享申请) by its id.")
    def sharing_request(self, info: Ctx, id: str) -> SharingRequest | None:
        return _get(info, SharingRequest, id)

    @strawberry.field(description="Sharing requests, optionally those a department made.")
    def sharing_requests(
        self,
        info: Ctx,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
        department: str | None = None,
    ) -> Connection[SharingRequest]:
        return _list(
            info,
            "SharingRequest",
            first=first,
            after=after,
            search=search,
            where={},
            anchor=("Department", department, "REQUESTS"),
        )

    @strawberry.field(description="Project rules PRJ-1..PRJ-4, judged as of a day (default today).")
    def project_findings(self, info: Ctx, as_of: date | None = None) -> list[ProjectFinding]:
        return [from_result(f) for f in projects.project_findings(_graph(info), as_of=as_of)]

    @strawberry.field(description="Sharing-request deadlines REQ-1..REQ-4 in working days, as of a day.")
    def request_findings(
        self, info: Ctx, as_of: date | None = None, deadlines: DeadlinesInput | None = None
    ) -> list[RequestFinding]:
        periods = deadlines.periods() if deadlines else None
        found = _judged(lambda: requests.request_findings(_graph(info), as_of=as_of, deadlines=periods))
        return [from_result(f) for f in found]

    @strawberry.field(description="Open sharing requests (or all) with the deadline each waits on.")
    def request_status(
        self,
        info: Ctx,
        as_of: date | None = None,
        deadlines: DeadlinesInput | None = None,
        include_closed: bool = False,
        overdue_only: bool = False,
    ) -> list[RequestStatus]:
        periods = deadlines.periods() if deadlines else None
        rows = _judged(lambda: requests.request_status(_graph(info), as_of=as_of, deadlines=periods))
        if overdue_only:
            rows = [r for r in rows if r.overdue]
        elif not include_closed:
            rows = [r for r in rows if r.stage.startswith("awaiting")]
        return [from_result(r) for r in rows]

    @strawberry.field(description="Authoritative-source rules SRC-1..SRC-3 (一数一源).")
    def source_findings(self, info: Ctx, min_holders: int = sources.MIN_HOLDERS) -> list[SourceFinding]:
        return [from_result(f) for f in sources.source_findings(_graph(info), min_holders=min_holders)]


def _request(info: Ctx, id: str) -> model.SharingRequest:
    record = info.context.service.get(info.context.caller, "SharingRequest", id)
    return model.SharingRequest.model_validate(record.props)


def _updated(current: model.SharingRequest, **changes: Any) -> model.SharingRequest:
    """The stored request with ``changes``, validated again (dates after the submission)."""
    try:
        return model.SharingRequest.model_validate({**current.model_dump(exclude_unset=True), **changes})
    except ValidationError as exc:
        raise InvalidInput("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())) from None


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Submit a sharing request: the requesting department asks another for data.")
    def submit_sharing_request(
        self, info: Ctx, input: SharingRequestInput, requester: str, provider: str, target: NodeRefInput
    ) -> WriteResult:
        request = to_model(model.SharingRequest, input)
        ref = NodeRef("SharingRequest", request.key())
        edges = [
            EdgeDecl("REQUESTS", NodeRef("Department", requester), ref),
            EdgeDecl("ADDRESSED_TO", ref, NodeRef("Department", provider)),
            EdgeDecl("FOR", ref, target.ref()),
        ]
        return _write(info, "submitSharingRequest", [request], edges, [ref])

    @strawberry.mutation(description="Record the provider's reply to a sharing request.")
    def reply_sharing_request(
        self,
        info: Ctx,
        id: str,
        outcome: ReplyOutcome,
        replied_on: date,
        conditions: str | None = None,
        refusal_basis: str | None = None,
    ) -> WriteResult:
        request = _updated(
            _request(info, id),
            outcome=ReplyOutcome(outcome).value,
            replied_on=replied_on,
            conditions=conditions,
            refusal_basis=refusal_basis,
        )
        return _write(info, "replySharingRequest", [request], [], [NodeRef("SharingRequest", id)])

    @strawberry.mutation(
        description="Record that a request was delivered; for a dataset this is also the SHARED_WITH relation, "
        "naming the request."
    )
    def deliver_sharing_request(self, info: Ctx, id: str, delivered_on: date) -> WriteResult:
        request = _updated(_request(info, id), delivered_on=delivered_on)
        ref = NodeRef("SharingRequest", id)
        service, caller = info.context.service, info.context.caller
        linked = service.edges(caller, [ref], direction="both", types=["FOR", "REQUESTS"])
        target = next((e.dst for e in linked if e.type == "FOR" and e.dst.label == "Dataset"), None)
        requester = next((e.src for e in linked if e.type == "REQUESTS"), None)
        edges = []
        if target is not None and requester is not None:
            props = model.SharedWithProps(request=id, since=delivered_on).model_dump(mode="json", exclude_none=True)
            edges.append(EdgeDecl("SHARED_WITH", target, requester, props))
        return _write(info, "deliverSharingRequest", [request], edges, [ref])

    @strawberry.mutation(description="Declare the department (and dataset) responsible for a data element (权威来源).")
    def declare_authoritative_source(
        self, info: Ctx, element: str, department: str | None = None, dataset: str | None = None
    ) -> WriteResult:
        if department is None and dataset is None:
            raise InvalidInput("name the department, the dataset or both")
        ref = NodeRef("DataElement", element)
        edges = [
            EdgeDecl("AUTHORITATIVE_SOURCE", ref, NodeRef(label, key))
            for label, key in (("Department", department), ("Dataset", dataset))
            if key is not None
        ]
        return _write(info, "declareAuthoritativeSource", [], edges, [ref])
