"""The write paths for a caller without clearance, on the demo registry: an editor of
浙江省公安厅 with public clearance, whose department also provides three intranet-only
datasets (308330000/001-003) it cannot see. Its uploads, dry runs, upserts and errors
must reveal no hidden key, name or count, and nothing hidden may be retired by its
omission from the editor's catalogue (the read-path twin is test_leak.py)."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry import demo
from registry.importers import read
from registry.schema.enums import Clearance
from registry.schema.records import NodeRef
from registry.service import Caller, RegistryService
from registry.service.caller import Role
from registry.store.sqlite import SQLiteStore
from registry.web.app import WebSettings, create_app
from registry.web.tokens import TokenStore
from tests.graphql.conftest import Api, serve

GA = "11330000002497217D"  # 浙江省公安厅 in the demo
SJ = "11330000002561741A"  # 浙江省大数据发展管理局 in the demo
HIDDEN_DATASETS = ["308330000/001", "308330000/002", "308330000/003"]
VISIBLE_DATASETS = ["308330000/004", "308330000/005"]
ADMIN = Caller.system()

IMPORT = """mutation($file: Upload!, $dryRun: Boolean!) { importCatalogue(file: $file, dryRun: $dryRun) {
  written dryRun batch created updated unchanged retired rejected issues { file row column value reason } } }"""
DATASET = """mutation($input: DatasetInput!, $provider: String!, $fields: [FieldInput!]) {
  upsertDataset(input: $input, provider: $provider, fields: $fields) { created updated retired nodes { key } } }"""
SYSTEM = """mutation($input: SystemInput!, $dept: String!) {
  upsertSystem(input: $input, department: $dept) { created updated nodes { key } } }"""
SHARING = """mutation($d: String!, $r: String!) {
  recordSharing(dataset: $d, recipient: {kind: DEPARTMENT, key: $r}) { created } }"""


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    service = RegistryService(SQLiteStore(tmp_path / "demo.db"))
    for path in demo.files():
        service.load(read(path), Caller.system("demo"))
    tokens = TokenStore(tmp_path / "tokens.json")
    issued = {
        "editor": tokens.create(role="editor", department=GA, clearance="public", name="公安厅录入员")[0],
        "admin_public": tokens.create(role="admin", clearance="public", name="外网管理员")[0],
    }
    with serve(create_app(service, tokens, WebSettings())) as client:
        yield Api(client, service, issued)


def _secrets(service: RegistryService) -> list[str]:
    """Every key of an entry hidden from a public caller, and every name only hidden
    entries carry (a hidden field named 姓名 shares that name with public fields)."""
    hidden = service.hidden(Caller.public())
    assert {NodeRef("Dataset", k) for k in HIDDEN_DATASETS} <= hidden
    visible_names = {
        str(r.props.get("name")) for label in ("Dataset", "Field", "System") for r in service.find(ADMIN, label)
    } - {str(r.props.get("name")) for ref in hidden for r in [service.store.get_nodes(ref.label, [ref.key])[ref.key]]}
    names = set()
    for ref in hidden:
        record = service.store.get_nodes(ref.label, [ref.key])[ref.key]
        name = str(record.props.get("name") or "")
        if name and name not in visible_names and ref.label in ("Dataset", "System"):
            names.add(name)
    return sorted({ref.key for ref in hidden if ref.label != "Field"} | names)


def _catalogue(keep: list[str], extra: int = 0) -> str:
    """zj-psd.csv with only the resources in ``keep``, plus ``extra`` new ones."""
    text = (demo.DEMO_DIR / "catalogues" / "zj-psd.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    out = [rows[0]]
    current = None
    for row in rows[1:]:
        current = row[2] or current
        if current in keep:
            out.append(row)
    for i in range(extra):
        new = list(rows[1])
        new[1], new[2], new[-1] = f"公安新增目录{i}", f"308330000/{100 + i:03d}", ""
        out.append(new)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(out)
    return buffer.getvalue()


def _upload(api: Api, content: str, *, dry_run: bool = False) -> dict[str, Any]:
    response = api.client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": IMPORT, "variables": {"file": None, "dryRun": dry_run}}),
            "map": json.dumps({"0": ["variables.file"]}),
        },
        files={"0": ("公安厅目录.csv", content.encode("utf-8"), "text/csv")},
        headers={"Authorization": f"Bearer {api.tokens['editor']}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _live(api: Api, keys: list[str]) -> list[str]:
    found = api.service.store.get_nodes("Dataset", keys)
    return sorted(k for k, r in found.items() if not r.retired)


def _assert_no_secret(secrets: list[str], *answers: Any) -> None:
    """``secrets`` are taken before the caller writes: the receipt of its own write (its
    batch id) is its own, not something hidden from it."""
    text = json.dumps(answers, ensure_ascii=False)
    assert [s for s in secrets if s in text] == []


def test_an_uncleared_editor_retires_nothing_it_cannot_see(api: Api) -> None:
    secrets = _secrets(api.service)
    # enough other entries that the hidden three would stay under the 25% retire limit
    grown = _upload(api, _catalogue(VISIBLE_DATASETS, extra=10))
    assert not grown.get("errors") and grown["data"]["importCatalogue"]["written"] is True, grown
    assert _live(api, HIDDEN_DATASETS) == HIDDEN_DATASETS

    dry = _upload(api, _catalogue(VISIBLE_DATASETS, extra=10), dry_run=True)["data"]["importCatalogue"]
    assert dry["retired"] == 0 and dry["unchanged"] > 0
    again = _upload(api, _catalogue(VISIBLE_DATASETS, extra=10))["data"]["importCatalogue"]
    assert again["retired"] == 0
    assert _live(api, HIDDEN_DATASETS) == HIDDEN_DATASETS
    fields = api.service.store.edges([NodeRef("Dataset", k) for k in HIDDEN_DATASETS], types=["HAS_FIELD"])
    assert fields and all(
        not r.retired for r in api.service.store.get_nodes("Field", [e.dst.key for e in fields]).values()
    )
    _assert_no_secret(secrets, grown, dry, again)


def test_limits_and_dry_runs_count_only_what_the_caller_sees(api: Api) -> None:
    """Dropping one of its two visible datasets is half of what the editor sees: refused
    over the limit with "1 of the 2", never "1 of the 5"; the admin's dry run of the same
    file counts the hidden three and their fields too, which the editor's must not."""
    secrets = _secrets(api.service)
    refused = _upload(api, _catalogue(VISIBLE_DATASETS[:1]))
    message = refused["errors"][0]["message"]
    assert "retire 1 of the 2 Dataset entries" in message, message
    assert _live(api, VISIBLE_DATASETS) == VISIBLE_DATASETS

    dry = _upload(api, _catalogue(VISIBLE_DATASETS[:1]), dry_run=True)["data"]["importCatalogue"]
    fields_of_dropped = len(api.service.store.edges([NodeRef("Dataset", VISIBLE_DATASETS[1])], types=["HAS_FIELD"]))
    # the dataset, its fields, and its edges (PROVIDES, HAS_FIELD, and what else it links to)
    edges = api.service.store.edges([NodeRef("Dataset", VISIBLE_DATASETS[1])], direction="both")
    field_edges = api.service.store.edges(
        [e.dst for e in edges if e.type == "HAS_FIELD"], direction="both", types=["MEANS", "DERIVED_FROM"]
    )
    assert dry["retired"] == 1 + fields_of_dropped + len(edges) + len(field_edges)
    _assert_no_secret(secrets, refused, dry)


def test_a_hidden_key_answers_like_another_departments_key(api: Api) -> None:
    """The documented rule: writing a key the caller cannot see is refused with the very
    sentence that refuses another department's key, so the two cannot be told apart."""

    def attempt(code: str) -> dict[str, Any]:
        return api.post(DATASET, {"input": {"resourceCode": code, "name": "改名数据"}, "provider": GA}, as_="editor")

    hidden = attempt(HIDDEN_DATASETS[0])
    foreign = attempt("107330000/001")  # 浙江省大数据发展管理局's, visible to the editor
    assert api.service.get_many(ADMIN, "Dataset", ["107330000/001"]), "the fixture's foreign dataset exists"
    free = attempt("308330000/900")
    assert free["data"]["upsertDataset"]["created"] >= 1
    for body in (hidden, foreign):
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    shape = [
        (b["errors"][0]["message"].replace(code, "<key>"), b["errors"][0]["extensions"])
        for b, code in ((hidden, HIDDEN_DATASETS[0]), (foreign, "107330000/001"))
    ]
    assert shape[0] == shape[1]
    assert "above this caller's clearance" not in json.dumps(hidden, ensure_ascii=False)
    assert api.service.store.get_nodes("Dataset", [HIDDEN_DATASETS[0]])[HIDDEN_DATASETS[0]].props["name"] != "改名数据"

    # an edge to a hidden entry fails as an edge to nothing does
    to_hidden = api.post(SHARING, {"d": HIDDEN_DATASETS[1], "r": SJ}, as_="editor")
    to_nothing = api.post(SHARING, {"d": "308330000/999", "r": SJ}, as_="editor")
    assert [
        to_hidden["errors"][0]["message"].replace(HIDDEN_DATASETS[1], "<key>"),
        to_hidden["errors"][0]["extensions"],
    ] == [to_nothing["errors"][0]["message"].replace("308330000/999", "<key>"), to_nothing["errors"][0]["extensions"]]


def test_an_uncleared_admin_neither_retires_nor_reveals_hidden_entries(api: Api) -> None:
    """Direct retirement by an administrator without clearance leaves a hidden entry alone
    and counts nothing for it, as for a key that does not exist."""
    public_admin = Caller("外网管理员", Role.ADMIN, Clearance.PUBLIC)
    result = api.service.retire(public_admin, [NodeRef("Dataset", HIDDEN_DATASETS[2])])
    assert result.totals()["retired"] == 0
    assert _live(api, HIDDEN_DATASETS) == HIDDEN_DATASETS
    missing = api.service.retire(public_admin, [NodeRef("Dataset", "308330000/999")])
    assert missing.totals() == result.totals()
