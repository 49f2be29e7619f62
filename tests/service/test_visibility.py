"""Clearance decides what exists for a caller; these pin each sensitivity rule."""

import pytest

from registry.schema.enums import Clearance
from registry.schema.records import NodeRef
from registry.service import Caller, NotFound, RegistryService, Role
from tests.service.graph_fixture import (
    DERIVED_DS,
    GA,
    INTRANET_DS,
    PUBLIC_DS,
    PUBLIC_SYS,
    SECRET_SYS,
    build,
)

PUBLIC = Caller.public()
SECRET_REVIEWER = Caller("审核员", Role.REVIEWER, Clearance.SECRET)
CONFIDENTIAL_REVIEWER = Caller("处长", Role.REVIEWER, Clearance.CONFIDENTIAL)


@pytest.fixture
def loaded(service: RegistryService) -> RegistryService:
    build(service)
    return service


def test_classified_system_and_its_data_do_not_exist_for_the_public(loaded: RegistryService) -> None:
    assert [n.key for n in loaded.find(PUBLIC, "System")] == [PUBLIC_SYS]
    assert loaded.count(PUBLIC, "System") == 1
    assert loaded.find(PUBLIC, "System", text="情报") == []
    assert [n.key for n in loaded.find(PUBLIC, "Dataset")] == [PUBLIC_DS]


def test_derived_data_is_classified_unless_declassified(loaded: RegistryService) -> None:
    hidden = loaded.hidden(PUBLIC)
    assert NodeRef("Dataset", DERIVED_DS) in hidden
    assert NodeRef("Field", f"{DERIVED_DS}#风险等级") in hidden
    assert NodeRef("Need", "NEED-1") in hidden
    assert NodeRef("Project", "PRJ-1") in hidden


def test_declassified_field_breaks_the_inheritance(loaded: RegistryService) -> None:
    from registry.schema.model import FieldItem

    loaded.upsert(Caller.system(), [FieldItem(dataset=DERIVED_DS, name="风险等级", declassified=True)])
    assert loaded.visible(PUBLIC, NodeRef("Dataset", DERIVED_DS))


def test_clearance_levels_are_ordered(loaded: RegistryService) -> None:
    assert loaded.count(SECRET_REVIEWER, "System") == 1  # the system is 机密, above 秘密
    assert loaded.count(CONFIDENTIAL_REVIEWER, "System") == 2


def test_hidden_and_missing_are_the_same_error(loaded: RegistryService) -> None:
    with pytest.raises(NotFound) as hidden:
        loaded.get(PUBLIC, "System", SECRET_SYS)
    with pytest.raises(NotFound) as missing:
        loaded.get(PUBLIC, "System", "NO-SUCH")
    assert str(hidden.value).replace(SECRET_SYS, "K") == str(missing.value).replace("NO-SUCH", "K")


def test_edges_history_stats_and_graph_leak_nothing(loaded: RegistryService) -> None:
    hidden = loaded.hidden(PUBLIC)
    edges = loaded.edges(PUBLIC, [NodeRef("Department", GA)], direction="out")
    assert all(e.dst not in hidden for e in edges)
    assert {e.dst.key for e in edges} == {PUBLIC_SYS, PUBLIC_DS}
    history = loaded.history(PUBLIC, NodeRef("Department", GA))
    assert all(SECRET_SYS not in h.subject and INTRANET_DS not in h.subject for h in history)
    stats = loaded.stats(PUBLIC)
    assert stats["nodes"]["System"] == 1 and stats["nodes"]["Dataset"] == 1
    assert "DERIVED_FROM" not in stats["edges"] and "ImportBatch" not in stats["nodes"]
    graph = loaded.graph(PUBLIC)
    assert not set(graph.nodes) & hidden
    full = loaded.stats(Caller.system())
    assert full["nodes"]["System"] == 2 and full["edges"]["DERIVED_FROM"] == 1


def test_an_entry_retired_while_classified_stays_out_of_an_uncleared_callers_history(
    loaded: RegistryService,
) -> None:
    """Once retired, a classified system has no level: a public caller's history neither
    shows the system itself (its name, network and secrecy) nor names it in the history of
    the department that operated it; a caller cleared for everything still sees both.
    Departments are public by rule, retired or not."""
    secret = NodeRef("System", SECRET_SYS)
    loaded.retire(Caller.system(), [secret])
    assert secret not in loaded.hidden(PUBLIC)
    with pytest.raises(NotFound):
        loaded.history(PUBLIC, secret)
    department = loaded.history(PUBLIC, NodeRef("Department", GA))
    assert department and all(SECRET_SYS not in h.subject for h in department)
    assert any(h.op == "retire" and h.node == secret for h in loaded.history(Caller.system(), secret))
    assert any(SECRET_SYS in h.subject for h in loaded.history(Caller.system(), NodeRef("Department", GA)))
    with pytest.raises(NotFound):
        loaded.history(PUBLIC, NodeRef("System", "ZJGA-NONE-01"))
