"""Sharing requests, authoritative sources and the policy findings over GraphQL: the
request's life (submit, reply, deliver -> a sharing relation naming it), the deadline
findings, and nothing about a request for data the caller may not see."""

from registry.schema.records import NodeRef
from tests.graphql.conftest import GA, HUJI_DS, INTRANET_DS, MZ, SJ, Api

SUBMIT = """mutation($input: SharingRequestInput!, $requester: String!, $provider: String!, $target: NodeRefInput!) {
  submitSharingRequest(input: $input, requester: $requester, provider: $provider, target: $target) { created } }"""
FINDINGS = """query($asOf: Date!) { requestFindings(asOf: $asOf) { rule subject message evidence }
  requestStatus(asOf: $asOf, includeClosed: true) { request stage due overdue } }"""


def _submit(api: Api, id: str, dataset: str, submitted: str, requester: str = MZ) -> None:
    variables = {
        "input": {"id": id, "purpose": "低保对象户籍核验", "legalBasis": "社会救助暂行办法", "submittedOn": submitted},
        "requester": requester,
        "provider": GA,
        "target": {"kind": "DATASET", "key": dataset},
    }
    assert api.data(SUBMIT, variables, as_="admin")["submitSharingRequest"]["created"] >= 1


def test_a_request_replied_and_delivered_becomes_a_sharing_relation(api: Api) -> None:
    _submit(api, "ZJMZ-SQ-2026-0206", HUJI_DS, "2026-02-06")
    replied = api.data(
        """mutation { replySharingRequest(id: "ZJMZ-SQ-2026-0206", outcome: AGREED_WITH_CONDITIONS,
             repliedOn: "2026-02-28", conditions: "仅限低保审核使用") { updated } }""",
        as_="admin",
    )
    assert replied["replySharingRequest"]["updated"] == 1
    api.data(
        'mutation { deliverSharingRequest(id: "ZJMZ-SQ-2026-0206", deliveredOn: "2026-03-05") { updated } }',
        as_="admin",
    )
    shared = api.data(
        f'{{ dataset(resourceCode: "{HUJI_DS}") {{ sharedWith {{ request since recipient {{ key }} }} }} }}',
        as_="admin",
    )["dataset"]["sharedWith"]
    assert {"request": "ZJMZ-SQ-2026-0206", "since": "2026-03-05", "recipient": {"key": MZ}} in shared
    data = api.data(FINDINGS, {"asOf": "2026-11-30"}, as_="admin")
    (late,) = data["requestFindings"]
    # the 10th working day after 02-06 across the Spring Festival is 02-27; 02-28 is a 调休 Saturday
    assert late["rule"] == "REQ-1" and late["evidence"]["deadline"] == "2026-02-27"
    assert data["requestStatus"] == [
        {"request": "ZJMZ-SQ-2026-0206", "stage": "delivered", "due": None, "overdue": False}
    ]
    request = api.data(
        '{ sharingRequest(id: "ZJMZ-SQ-2026-0206") { outcome conditions '
        "requester { key } provider { key } target { key } } }",
        as_="admin",
    )["sharingRequest"]
    assert request == {
        "outcome": "AGREED_WITH_CONDITIONS",
        "conditions": "仅限低保审核使用",
        "requester": {"key": MZ},
        "provider": {"key": GA},
        "target": {"key": HUJI_DS},
    }


def test_a_reply_before_the_request_is_refused(api: Api) -> None:
    _submit(api, "ZJMZ-SQ-2026-0301", HUJI_DS, "2026-03-02")
    body = api.post(
        'mutation { replySharingRequest(id: "ZJMZ-SQ-2026-0301", outcome: AGREED, repliedOn: "2026-03-01") '
        "{ updated } }",
        as_="admin",
    )
    assert "before the request was submitted" in body["errors"][0]["message"]


def test_a_request_for_hidden_data_is_hidden(api: Api) -> None:
    _submit(api, "ZJSJ-SQ-2026-0105", INTRANET_DS, "2026-01-05", requester=SJ)
    _submit(api, "ZJMZ-SQ-2026-0105", HUJI_DS, "2026-01-05")
    assert api.service.required_clearance(NodeRef("SharingRequest", "ZJSJ-SQ-2026-0105")) > 0
    hidden = api.post('{ sharingRequest(id: "ZJSJ-SQ-2026-0105") { purpose } }', as_="public_reviewer")
    missing = api.post('{ sharingRequest(id: "ZJSJ-SQ-2099-0000") { purpose } }', as_="public_reviewer")
    assert hidden["data"] == missing["data"] == {"sharingRequest": None}
    assert hidden["errors"][0]["extensions"] == missing["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    query = """{ sharingRequests { totalCount edges { node { key } } }
      requestFindings(asOf: "2026-11-30") { subject message }
      requestStatus(asOf: "2026-11-30") { request } }"""
    public = api.data(query, as_="public_reviewer")
    assert public["sharingRequests"]["totalCount"] == 1
    assert [f["subject"] for f in public["requestFindings"]] == ["ZJMZ-SQ-2026-0105"]
    assert [r["request"] for r in public["requestStatus"]] == ["ZJMZ-SQ-2026-0105"]
    cleared = api.data(query, as_="reviewer")
    assert cleared["sharingRequests"]["totalCount"] == 2
    assert {f["subject"] for f in cleared["requestFindings"]} == {"ZJMZ-SQ-2026-0105", "ZJSJ-SQ-2026-0105"}


def test_authoritative_source_and_its_findings(api: Api) -> None:
    api.data(
        f'mutation {{ declareAuthoritativeSource(element: "DE00001", department: "{GA}", dataset: "{HUJI_DS}") '
        "{ updated } }",
        as_="admin",
    )
    element = api.data('{ dataElement(code: "DE00001") { authoritativeSources { key } } }', as_="admin")["dataElement"]
    assert {s["key"] for s in element["authoritativeSources"]} == {GA, HUJI_DS}
    # 低保救助对象信息 derives its 身份证号 from the source; nobody else holds the element: nothing to find
    assert api.data("{ sourceFindings { rule subject } }", as_="admin")["sourceFindings"] == []


def test_the_provider_records_its_reply_and_delivery_and_nothing_else(api: Api) -> None:
    _submit(api, "ZJMZ-SQ-2026-0401", HUJI_DS, "2026-04-01")
    reply = 'mutation { replySharingRequest(id: "ZJMZ-SQ-2026-0401", outcome: AGREED, repliedOn: "2026-04-03") '
    refused = api.post(reply + "{ updated } }", as_="editor_mz")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "addressed to" in refused["errors"][0]["message"]
    assert api.data(reply + "{ updated } }", as_="editor_ga")["replySharingRequest"]["updated"] == 1
    delivered = api.data(
        'mutation { deliverSharingRequest(id: "ZJMZ-SQ-2026-0401", deliveredOn: "2026-04-08") { updated } }',
        as_="editor_ga",
    )
    assert delivered["deliverSharingRequest"]["updated"] >= 1
    shared = api.data(
        f'{{ dataset(resourceCode: "{HUJI_DS}") {{ sharedWith {{ request recipient {{ key }} }} }} }}', as_="admin"
    )["dataset"]["sharedWith"]
    assert {"request": "ZJMZ-SQ-2026-0401", "recipient": {"key": MZ}} in shared
    # the provider answers; it does not rewrite what was asked
    variables = {
        "input": {"id": "ZJMZ-SQ-2026-0401", "purpose": "改写的用途", "submittedOn": "2026-04-01"},
        "requester": MZ,
        "provider": GA,
        "target": {"kind": "DATASET", "key": HUJI_DS},
    }
    rewritten = api.post(SUBMIT, variables, as_="editor_ga")
    assert rewritten["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    request = api.data('{ sharingRequest(id: "ZJMZ-SQ-2026-0401") { purpose outcome deliveredOn } }', as_="admin")
    assert request["sharingRequest"] == {
        "purpose": "低保对象户籍核验",
        "outcome": "AGREED",
        "deliveredOn": "2026-04-08",
    }
