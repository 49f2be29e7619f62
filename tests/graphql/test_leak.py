"""The same queries as a public viewer and as an intranet-cleared reviewer: nothing
classified (names, keys, counts, errors) may reach the former. The reviewer's answers
are checked to contain the classified entries, so the test fails if the fixture stops
planting them or the queries stop reaching them."""

import json

import pytest

from tests.graphql.conftest import CLASSIFIED_TEXT, DERIVED_DS, GA, HUJI_DS, INTRANET_DS, SECRET_SYS, SJ, Api

EVERYTHING = (
    """
fragment sys on System { key name code description functions network secrecyLevel
  department { name } datasets { key name } needs { key purpose } builtBy { key name } receives { dataset { key } } }
fragment ds on Dataset { key name resourceCode shareType provider { name } heldBy { key name }
  fields { key name element { key } derivedFrom { field { key name } } derivedInto { field { key name } } }
  interfaces { key code } sharedWith { recipient { key } } neededBy { key purpose } }
{
  departments(first: 100) { totalCount edges { node { key name
    systems { ...sys } datasets { ...ds } needs { key purpose targets { key label } }
    projects { key name systems { key } }
    receives { dataset { key name } } history { subject changes { property old new } } } } }
  systems(first: 100) { totalCount edges { node { ...sys } } }
  datasets(first: 100) { totalCount edges { node { ...ds } } }
  fields(first: 100) { totalCount edges { node { key name dataset { key } } } }
  needs { totalCount edges { node { key purpose requesters { key } targets { key } } } }
  projects { totalCount edges { node { key name systems { key name } } } }
  interfaces { totalCount edges { node { key code datasets { key } } } }
  dataElements { totalCount edges { node { key name fields { key name } neededBy { key purpose } } } }
  importBatches { totalCount edges { node { key source counts } } }
  stats { nodes { name count } edges { name count } }
  searchSystems: systems(search: "情报") { totalCount edges { node { key } } }
  searchDatasets: datasets(search: "人员") { totalCount edges { node { key } } }
  classified: systems(secrecyLevel: CONFIDENTIAL) { totalCount edges { node { key } } }
  intranet: systems(network: INTRANET) { totalCount edges { node { key } } }
  gaSystems: systems(department: "{ga}") { totalCount edges { node { key } } }
  sjDatasets: datasets(department: "{sj}") { totalCount edges { node { key } } }
  element: dataElement(code: "DE00001") { fields { key dataset { name } } }
  huji: dataset(resourceCode: "{huji}") { ...ds history { subject changes { property new } } }
}
""".replace("{ga}", GA)
    .replace("{sj}", SJ)
    .replace("{huji}", HUJI_DS)
)

HIDDEN_LOOKUPS = [
    ("system", "code", SECRET_SYS),
    ("dataset", "resourceCode", INTRANET_DS),
    ("dataset", "resourceCode", DERIVED_DS),
    ("need", "id", "NEED-QB-1"),
    ("project", "code", "PRJ-QB"),
    ("interface", "code", "IF-QB-01"),
]


def _leaks(text: str) -> list[str]:
    return [t for t in CLASSIFIED_TEXT if t in text]


@pytest.mark.parametrize("viewer", ["public", "public_reviewer", None])
def test_nothing_classified_reaches_a_caller_without_clearance(api: Api, viewer: str | None) -> None:
    cleared = api.post(EVERYTHING, as_="reviewer")
    assert not cleared.get("errors")
    assert set(_leaks(json.dumps(cleared, ensure_ascii=False))) >= {SECRET_SYS, INTRANET_DS, DERIVED_DS, "NEED-QB-1"}

    public = api.post(EVERYTHING, as_=viewer)
    assert not public.get("errors")
    assert _leaks(json.dumps(public, ensure_ascii=False)) == []

    data, full = public["data"], cleared["data"]
    assert (data["systems"]["totalCount"], full["systems"]["totalCount"]) == (2, 3)
    assert (data["datasets"]["totalCount"], full["datasets"]["totalCount"]) == (2, 4)
    assert (data["fields"]["totalCount"], full["fields"]["totalCount"]) == (6, 10)
    for name in ("searchSystems", "classified", "intranet", "sjDatasets", "importBatches"):
        assert data[name]["totalCount"] == 0 and data[name]["edges"] == []
        assert full[name]["totalCount"] > 0
    assert data["gaSystems"]["totalCount"] == 1
    counts = {n["name"]: n["count"] for n in data["stats"]["nodes"]}
    assert counts == {
        "DataElement": 1,
        "Dataset": 2,
        "Department": 3,
        "Field": 6,
        "Interface": 1,
        "Need": 1,
        "Project": 1,
        "System": 2,
    }


@pytest.mark.parametrize(("field", "arg", "key"), HIDDEN_LOOKUPS)
def test_hidden_and_missing_answer_alike(api: Api, field: str, arg: str, key: str) -> None:
    query = f"query($k: String!) {{ {field}({arg}: $k) {{ key }} }}"
    assert api.post(query, {"k": key}, as_="reviewer")["data"][field]["key"] == key
    hidden = api.post(query, {"k": key}, as_="public")
    missing = api.post(query, {"k": "NO-SUCH-KEY"}, as_="public")
    assert hidden["data"] == missing["data"] == {field: None}
    assert json.dumps(hidden["errors"], ensure_ascii=False).replace(key, "X") == json.dumps(
        missing["errors"], ensure_ascii=False
    ).replace("NO-SUCH-KEY", "X")
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_lookup_and_field_by_key_hide_classified(api: Api) -> None:
    query = """query($k: String!, $ds: String!) { lookup(key: $k) { key }
               f: fields(dataset: $ds) { totalCount edges { node { key } } } }"""
    cleared = api.data(query, {"k": SECRET_SYS, "ds": DERIVED_DS}, as_="reviewer")
    public = api.data(query, {"k": SECRET_SYS, "ds": DERIVED_DS}, as_="public")
    assert cleared["lookup"] == [{"key": SECRET_SYS}] and cleared["f"]["totalCount"] == 2
    assert public == {"lookup": [], "f": {"totalCount": 0, "edges": []}}
