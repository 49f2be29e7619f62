"""Search and autocomplete through GraphQL, as a dashboard's search box asks them."""

from registry.schema.model import Interface
from registry.schema.records import NodeRef
from registry.service import Caller
from registry.service.declaration import EdgeDecl
from tests.graphql.conftest import Api

SEARCH = """query($q: String!, $kinds: [String!]) {
  search(query: $q, kinds: $kinds, first: 50) {
    totalCount hits { kind key name departmentName matched } facets { name values { value count } }
  }
}"""


def test_search_with_facets_for_each_clearance(demo_api: Api) -> None:
    cleared = demo_api.data(SEARCH, {"q": "重点人员"}, as_="admin")["search"]
    public = demo_api.data(SEARCH, {"q": "重点人员"}, as_="public")["search"]
    assert cleared["totalCount"] > 0 and public == {"totalCount": 0, "hits": [], "facets": []}
    datasets = demo_api.data(SEARCH, {"q": "户籍", "kinds": ["Dataset"]}, as_="public")["search"]
    assert datasets["hits"] and {h["kind"] for h in datasets["hits"]} == {"Dataset"}
    kind = next(f for f in datasets["facets"] if f["name"] == "kind")
    assert kind["values"] == [{"value": "Dataset", "count": datasets["totalCount"]}]


def test_suggest_and_bad_input(demo_api: Api) -> None:
    found = demo_api.data('{ suggest(text: "不动产", limit: 3) { name kind } }', as_="public")["suggest"]
    assert len(found) == 3 and all(s["name"].startswith("不动产") for s in found)
    body = demo_api.post('{ search(query: "信息\\u0000x") { totalCount } }', as_="public")
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"


def test_change_feed_point_in_time_and_freshness(demo_api: Api) -> None:
    feed = demo_api.data('{ changes(since: "2000-01-01", kinds: ["System"]) { op kind key name } }', as_="admin")
    assert feed["changes"] and {c["op"] for c in feed["changes"]} == {"created"}
    public = demo_api.data('{ changes(since: "2000-01-01", kinds: ["System"]) { key } }', as_="public")
    assert "330000-GA-XT002" in {c["key"] for c in feed["changes"]}
    assert "330000-GA-XT002" not in {c["key"] for c in public["changes"]}
    snapshot = demo_api.data(
        '{ entryAsOf(kind: DATASET, key: "206100000/005", asOf: "2099-01-01") { live properties } }', as_="public"
    )["entryAsOf"]
    assert snapshot["live"] and snapshot["properties"]["name"] == "欠税公告信息"
    fields = demo_api.data(
        '{ fieldChanges(dataset: "206100000/005", from: "2000-01-01", to: "2099-01-01") { name change } }',
        as_="public",
    )["fieldChanges"]
    assert {f["change"] for f in fields} == {"added"} and "纳税人识别号" in {f["name"] for f in fields}
    reported = demo_api.data(
        'mutation { reportDataUpdate(dataset: "206100000/005", at: "2026-01-05T08:00:00+08:00") { updated } }',
        as_="admin",
    )
    assert reported["reportDataUpdate"]["updated"] == 1
    denied = demo_api.post('mutation { reportDataUpdate(dataset: "206100000/005") { updated } }', as_="public")
    assert denied["errors"]
    interface = Interface(code="SW-API-005", kind="api")
    exposed = EdgeDecl("EXPOSED_VIA", NodeRef("Dataset", "206100000/005"), NodeRef("Interface", interface.code))
    demo_api.service.upsert(Caller.system(), [interface], [exposed])
    delivered = demo_api.data(
        'mutation { reportInterfaceUpdate(interface: "SW-API-005", at: "2026-01-06T08:00:00+08:00") { updated } }',
        as_="admin",
    )
    assert delivered["reportInterfaceUpdate"]["updated"] == 2  # the interface and the dataset it serves
    denied = demo_api.post('mutation { reportInterfaceUpdate(interface: "SW-API-005") { updated } }', as_="public")
    assert denied["errors"]


def test_webhook_subscriptions_through_graphql(demo_api: Api, tmp_path) -> None:
    from registry.service.subscriptions import SubscriptionBook, enable

    enable(
        demo_api.service, SubscriptionBook(tmp_path / "r.subscriptions.json"), background=False, sender=lambda *a: None
    )
    made = demo_api.data(
        'mutation { subscribe(targetKind: "entry", target: "Dataset:206100000/005", url: "http://127.0.0.1:9/h") '
        "{ secret subscription { id events } } }",
        as_="public",
    )["subscribe"]
    assert len(made["secret"]) > 20 and "upstream_changed" in made["subscription"]["events"]
    mine = demo_api.data("{ mySubscriptions { id target deliveries } }", as_="public")["mySubscriptions"]
    assert [m["id"] for m in mine] == [made["subscription"]["id"]]
    assert demo_api.data("{ mySubscriptions { id } }", as_="admin")["mySubscriptions"] == []
    hidden = demo_api.post(
        'mutation { subscribe(targetKind: "entry", target: "System:330000-GA-XT002", url: "http://127.0.0.1:9/h") '
        "{ secret } }",
        as_="public",
    )
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_enum_labels_for_dashboards(demo_api: Api) -> None:
    labels = demo_api.data("{ enumLabels { enum value zh en } }", as_="public")["enumLabels"]
    assert {"enum": "ShareType", "value": "not_shared", "zh": "不予共享", "en": "not shared"} in labels
    assert {"enum": "Network", "value": "intranet", "zh": "电子政务内网", "en": "e-government intranet"} in labels
