"""A caller's rows: a dataset's fields checked as a group give what a check of each gives."""

from registry.service import Caller, RegistryService
from registry.service.rows import CallerRows, _visible_groups

from .demo_fixture import demo_service  # noqa: F401  (a fixture)


def test_fields_checked_by_set_are_those_checked_one_by_one(demo_service: RegistryService) -> None:  # noqa: F811
    visible, version, hidden_of = demo_service.visibility.row_filter(Caller.public().clearance)
    assert hidden_of is not None
    by_set = list(CallerRows(demo_service.store, visible, version, hidden_of).iter_linked_groups("HAS_FIELD", "Field"))
    by_key = list(CallerRows(demo_service.store, visible, version).iter_linked_groups("HAS_FIELD", "Field"))
    assert by_set == by_key
    hidden = {(ref.label, ref.key) for ref in demo_service.hidden(Caller.public())}
    assert {"Dataset", "Field"} <= {label for label, _ in hidden}
    shown = {("Dataset", source) for _, source, _, _ in by_set} | {
        ("Field", key) for _, _, keys, _ in by_set for key in keys
    }
    assert shown and not shown & hidden


def test_a_group_with_hidden_targets_keeps_only_the_visible_ones() -> None:
    hidden = frozenset({"f2", "f5"})

    def visible(label: str, key: str) -> bool:
        return not (label == "Dataset" and key == "d3") and not (label == "Field" and key in hidden)

    groups = [
        ("Dataset", "d1", ["f1", "f3"], ["甲", "丙"]),
        ("Dataset", "d2", ["f1", "f2", "f4"], ["甲", "乙", "丁"]),
        ("Dataset", "d3", ["f1"], ["甲"]),
        ("Dataset", "d4", ["f2", "f5"], ["乙", "戊"]),
    ]
    expected = [("Dataset", "d1", ["f1", "f3"], ["甲", "丙"]), ("Dataset", "d2", ["f1", "f4"], ["甲", "丁"])]
    assert list(_visible_groups(iter(groups), "Field", visible, hidden)) == expected
    assert list(_visible_groups(iter(groups), "Field", visible, None)) == expected
