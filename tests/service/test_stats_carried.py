"""Counts carried across writes (``VisibilityCache._carried``) equal a recount by a service
that saw none of them, for every clearance, on random writes through the service: new and
changed secrecy, edges added, entries retired and revived with their edges, review
decisions; so are the hidden keys by label. A carried count must never include an entry
hidden from the caller."""

import random

import pytest

from registry.schema.enums import Clearance
from registry.schema.model import Dataset, FieldItem, System, field_key
from registry.schema.records import NodeRef
from registry.service import Caller, EdgeDecl, RegistryService, Role
from tests.service.graph_fixture import GA, INTRANET_DS, PUBLIC_DS, PUBLIC_SYS, build

CALLERS = [Caller.public(), Caller("审阅员", Role.REVIEWER, Clearance.SECRET), Caller.system()]
SECRECY = ["none", "none", "secret", "confidential", "top_secret"]
NETWORKS = ["extranet", "internet", "intranet"]


def _write(rng: random.Random, service: RegistryService, step: int) -> None:
    admin = Caller.system()
    systems = [r.key for r in service.find(admin, "System")]
    datasets = [r.key for r in service.find(admin, "Dataset")]
    fields = [r.key for r in service.find(admin, "Field")]
    action = rng.randrange(7)
    if action == 0:
        code = rng.choice([*systems, f"ZJGA-NEW-{step}"])
        system = System(
            code=code, name=f"业务系统{step}", network=rng.choice(NETWORKS), secrecy_level=rng.choice(SECRECY)
        )
        service.upsert(
            admin,
            [system],
            [EdgeDecl("OPERATES", NodeRef("Department", GA), NodeRef("System", code))],
        )
    elif action == 1:
        code = f"301009/{step:06d}"
        service.upsert(
            admin,
            [
                Dataset(
                    resource_code=code,
                    name=f"新增数据{step}",
                    share_type="unconditional",
                    secrecy_level=rng.choice(SECRECY),
                ),
                FieldItem(dataset=code, name="统一社会信用代码"),
            ],
            [
                EdgeDecl("PROVIDES", NodeRef("Department", GA), NodeRef("Dataset", code)),
                EdgeDecl("HAS_FIELD", NodeRef("Dataset", code), NodeRef("Field", field_key(code, "统一社会信用代码"))),
                EdgeDecl("HOLDS", NodeRef("System", rng.choice(systems)), NodeRef("Dataset", code)),
            ],
        )
    elif action == 2 and len(fields) > 1:
        src, dst = rng.sample(fields, 2)
        service.upsert(admin, [], [EdgeDecl("DERIVED_FROM", NodeRef("Field", src), NodeRef("Field", dst))])
    elif action == 3 and systems:
        service.retire(admin, [NodeRef("System", rng.choice(systems))])
    elif action == 4:
        # revive the fixture's datasets and their holders, and the edges between them
        service.upsert(
            admin,
            [System(code="ZJGA-JM-01", name="警务情报研判系统", network="intranet", secrecy_level="confidential")],
            [
                EdgeDecl("HOLDS", NodeRef("System", "ZJGA-JM-01"), NodeRef("Dataset", INTRANET_DS)),
                EdgeDecl("HOLDS", NodeRef("System", "ZJGA-JM-01"), NodeRef("Dataset", PUBLIC_DS)),
            ],
        )
    elif action == 5 and datasets:
        code = rng.choice(datasets)
        service.upsert(
            admin,
            [
                Dataset(
                    resource_code=code, name=f"数据{code}", share_type="conditional", secrecy_level=rng.choice(SECRECY)
                )
            ],
        )
    else:
        subjects = rng.sample([NodeRef("Dataset", d) for d in datasets], min(2, len(datasets)))
        service.review(
            admin,
            finding="duplicate",
            rule="DUP-1",
            subjects=subjects,
            fingerprint=f"fp-{step}",
            decision="confirmed",
            reason="人工核对",
        )


@pytest.mark.parametrize("seed", range(6))
def test_counts_carried_across_writes_equal_a_recount(
    service: RegistryService, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    build(service)
    rng = random.Random(seed)
    for caller in CALLERS:
        service.stats(caller)
        service.visibility.hidden_by_label(caller.clearance)
    for step in range(10):
        _write(rng, service, step)

        def refuse(*_args: object, **_kwargs: object) -> None:
            raise AssertionError("the counts were recounted over the registry after a write")

        with monkeypatch.context() as patched:
            for name in ("label_counts", "edge_type_counts", "edge_type_counts_touching"):
                patched.setattr(service.store, name, refuse)
            carried = {caller.clearance: service.stats(caller) for caller in CALLERS}
        fresh = RegistryService(service.store)
        for caller in CALLERS:
            assert carried[caller.clearance] == fresh.stats(caller), (seed, step, caller.clearance)
            by_label = service.visibility.hidden_by_label(caller.clearance)
            assert by_label == fresh.visibility.hidden_by_label(caller.clearance)
        hidden = service.hidden(Caller.public())
        assert carried[Clearance.PUBLIC]["nodes"].get("System", 0) == len(
            [r for r in service.find(Caller.system(), "System") if r.ref not in hidden]
        )


def test_a_hidden_entry_written_is_absent_from_carried_counts(service: RegistryService) -> None:
    """A classified system and its edge, written after the counts were kept, move the
    counts of a caller cleared for them and leave a public caller's as they were; so does
    moving a public system onto the intranet (it leaves the public counts with its edges)."""
    build(service)
    public, cleared = service.stats(Caller.public()), service.stats(Caller.system())
    service.upsert(
        Caller.system(),
        [System(code="ZJGA-JM-09", name="技侦数据研判系统", network="intranet", secrecy_level="top_secret")],
        [EdgeDecl("OPERATES", NodeRef("Department", GA), NodeRef("System", "ZJGA-JM-09"))],
    )
    assert service.stats(Caller.public()) == public
    after = service.stats(Caller.system())
    assert after["nodes"]["System"] == cleared["nodes"]["System"] + 1
    assert after["edges"]["OPERATES"] == cleared["edges"]["OPERATES"] + 1
    service.upsert(Caller.system(), [System(code=PUBLIC_SYS, name="户政业务办理系统", network="intranet")])
    moved = service.stats(Caller.public())
    assert moved["nodes"].get("System", 0) == public["nodes"]["System"] - 1
    assert moved["edges"].get("OPERATES", 0) == public["edges"]["OPERATES"] - 1
    assert moved["edges"].get("HOLDS", 0) < public["edges"]["HOLDS"]


@pytest.mark.parametrize("seed", range(3))
def test_a_load_touching_more_than_the_carry_limit_leaves_counts_to_a_recount(
    service: RegistryService, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Past ``CARRY_LIMIT`` a load stops remembering what it touched (a province's keys
    held half a GB): its counts are recounted by the next reader, equal to a fresh
    service's, and the levels it updated from its seeds alone hide what a fresh
    computation hides."""
    monkeypatch.setattr("registry.service.core.CARRY_LIMIT", 1)
    build(service)
    rng = random.Random(seed)
    recounts: list[str] = []
    label_counts = service.store.label_counts

    def recount() -> dict[str, int]:
        recounts.append("label_counts")
        return label_counts()

    monkeypatch.setattr(service.store, "label_counts", recount)
    for step in range(10):
        for caller in CALLERS:
            service.stats(caller)
        recounts.clear()
        code = f"301008/{step:06d}"
        dataset = NodeRef("Dataset", code)
        holders = [NodeRef("System", r.key) for r in service.find(Caller.system(), "System")]
        service.upsert(
            Caller.system(),
            [Dataset(resource_code=code, name=f"新登记数据{step}", share_type="unconditional")],
            [
                EdgeDecl("PROVIDES", NodeRef("Department", GA), dataset),
                *(EdgeDecl("HOLDS", holder, dataset) for holder in rng.sample(holders, min(1, len(holders)))),
            ],
        )
        after = {caller.clearance: service.stats(caller) for caller in CALLERS}
        assert recounts, "the counts were carried across a load past the limit"
        _write(rng, service, step)
        fresh = RegistryService(service.store)
        for caller in CALLERS:
            assert service.stats(caller) == fresh.stats(caller), (seed, step, caller.clearance)
            assert service.hidden(caller) == fresh.hidden(caller), (seed, step, caller.clearance)
        assert after[Clearance.SECRET]["nodes"]["Dataset"] >= after[Clearance.PUBLIC]["nodes"]["Dataset"]
