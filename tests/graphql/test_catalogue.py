"""Search and autocomplete through GraphQL, as a dashboard's search box asks them."""

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
