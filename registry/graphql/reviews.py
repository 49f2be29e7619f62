"""The findings review: decide on a finding (confirm or dismiss, with a reason) and export
the confirmed ones as a report.

The finding decided on is looked up among the caller's own findings, so a caller can only
decide on what it can see; the service records the decision with the caller as author,
and refuses callers that are neither reviewers nor administrators.
"""

import base64

import strawberry

from registry.analysis.workbook import confirmed_rows, findings_workbook
from registry.graphql.enums import ReviewDecision
from registry.graphql.findings import Finding, decisions, findings_of, graph_of, to_type
from registry.graphql.nodes import Ctx
from registry.schema.records import NodeRef
from registry.service import NotFound


def _ref(text: str) -> NodeRef:
    label, _, key = text.partition(":")
    return NodeRef(label, key)


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(
        description="Confirm or dismiss a finding (by its id) with a reason; it holds until the evidence changes."
    )
    def review_finding(self, info: Ctx, id: str, decision: ReviewDecision, reason: str) -> Finding:
        graph = graph_of(info)
        found = next((f for f in findings_of(info) if f.id == id), None)
        if found is None:
            raise NotFound(f"no finding with id {id!r}")
        context = info.context
        context.service.review(
            context.caller,
            finding=found.id,
            rule=found.rule,
            subjects=[_ref(s) for s in found.subjects],
            fingerprint=found.fingerprint,
            decision=str(decision.value),
            reason=reason.strip(),
            message=found.message,
            source="graphql:reviewFinding",
        )
        context.reset()
        return to_type(graph, found, decisions(info))


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="The confirmed findings as an XLSX report (base64), to send to the departments.")
    def confirmed_report(self, info: Ctx) -> str:
        graph = graph_of(info)
        rows = confirmed_rows(graph, findings_of(info), decisions(info))
        return base64.b64encode(findings_workbook(rows)).decode("ascii")
