import json
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from registry.analysis import duplicates, fieldmatch
from registry.analysis.duplicates import (
    DEFAULT_THRESHOLD,
    Proposal,
    _across_items,
    accepted,
    candidate_pairs,
    check_proposal,
    clusters,
    could_match_wanted,
    find_duplicates,
    score_pairs,
)
from registry.analysis.evaluation import Entry, LabelledPair, catalogue
from registry.analysis.fieldnames import FieldNormaliser
from registry.analysis.matrix import ItemMatrix
from registry.service import Caller, RegistryService
from registry.synth import Synth, generate
from registry.synth.scoring import precision_recall
from registry.synth.styles import STYLES, styled


def test_precision_and_recall_on_the_standard_mix() -> None:
    synth = generate(datasets=2000, seed=11)
    found = clusters(synth.matrix())
    precision, recall = precision_recall([c.keys for c in found], synth.truth["duplicates"]["Dataset"])
    assert precision >= 0.9
    assert recall >= 0.9


def test_planted_datasets_and_systems_found_through_the_service(planted: RegistryService, planted_synth: Synth) -> None:
    rows = planted.rows(Caller.system())
    for kind in ("Dataset", "System"):
        found = find_duplicates(rows, kind=kind)
        precision, recall = precision_recall([c.keys for c in found], planted_synth.truth["duplicates"][kind])
        assert precision >= 0.9, kind
        assert recall >= 0.9, kind


def test_a_finding_carries_its_evidence(planted: RegistryService) -> None:
    cluster = find_duplicates(planted.rows(Caller.system()), kind="System")[0]
    data = cluster.to_dict()
    assert data["rule"] == "DUP-1" and len(data["members"]) >= 2
    assert len({m["department"] for m in data["members"]}) >= 2
    assert all(m["project"] for m in data["members"])
    assert set(data["evidence"]["parts"]) == {"holdings", "name", "description", "functions"}
    assert data["shared"] and data["shared"][0]["weight"] >= data["shared"][-1]["weight"]
    assert data["evidence"]["matched"] and all(0.7 <= s <= 1 for _, _, s in data["evidence"]["matched"])
    renamed = [p for p in data["pairs"][0]["matched"] if p["similarity"] < 1]
    assert renamed and all(p["a"] != p["b"] for p in renamed)


def test_ubiquitous_elements_weigh_little() -> None:
    matrix = generate(datasets=500, seed=2).matrix()
    weight = dict(zip(matrix.token_keys, matrix.weights, strict=True))
    assert weight["E:DE0001"] < 0.5
    assert weight["E:DE0002"] < 0.5
    assert np.median(matrix.weights) == 1.0


def test_nothing_found_on_a_clean_registry(clean: RegistryService) -> None:
    rows = clean.rows(Caller.system())
    assert find_duplicates(rows, kind="Dataset") == []
    assert find_duplicates(rows, kind="System") == []


def test_candidates_are_far_fewer_than_all_pairs() -> None:
    matrix = generate(datasets=3000, seed=5).matrix()
    pairs = candidate_pairs(matrix)
    n = len(matrix)
    assert len(pairs) < 0.05 * n * (n - 1) / 2
    assert np.all(pairs[:, 0] < pairs[:, 1])


def test_graph_and_array_builds_agree(planted: RegistryService, planted_synth: Synth) -> None:
    from_graph = {frozenset(c.keys) for c in clusters(ItemMatrix.from_graph(planted.graph(Caller.system()), "Dataset"))}
    from_arrays = {frozenset(c.keys) for c in clusters(planted_synth.matrix())}
    assert from_graph == from_arrays


def test_a_proposal_is_checked_against_existing_systems(planted: RegistryService, planted_synth: Synth) -> None:
    original = planted_synth.truth["duplicates"]["System"][0][0]
    system = next(s for s in planted_synth.systems if s["code"] == original)
    index = planted_synth.systems.index(system)
    fields = [
        planted_synth.field_names[f]
        for d, s in enumerate(planted_synth.dataset_system)
        if s == index
        for f in planted_synth.field_lists[d]
    ]
    proposal = Proposal(
        name=system["name"], description=system["description"], functions=system["functions"], fields=fields
    )
    matches = check_proposal(planted.rows(Caller.system()), proposal)
    assert matches and matches[0].b.key in planted_synth.truth["duplicates"]["System"][0]
    assert matches[0].parts["holdings"] > 0.9
    unrelated = Proposal(name="碳排放交易监测平台", description="监测碳排放配额交易", fields=["配额编号", "交易量"])
    assert check_proposal(planted.rows(Caller.system()), unrelated) == []


def test_the_bound_prunes_no_pair_full_scoring_would_accept() -> None:
    """Field matching runs only where the holdings bound reaches the threshold; on
    catalogues of every naming style (renamed, abbreviated, qualifiers dropped ...) the
    pairs accepted that way are exactly those full scoring of every candidate accepts."""
    for style in STYLES:
        matrix = styled(200, style, seed=3).matrix()
        pairs = candidate_pairs(matrix)
        for threshold in (0.3, 0.45):
            pruned = score_pairs(matrix, pairs, threshold=threshold)
            full = score_pairs(matrix, pairs)
            assert np.array_equal(accepted(pruned, threshold), accepted(full, threshold) & full.refined), style
            assert np.all(pruned.parts["holdings"][~pruned.refined] + 1e-6 >= full.parts["holdings"][~pruned.refined])


def test_a_bound_rounded_just_below_the_threshold_still_gets_its_pair_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound is a float32 sum whose rounding may fall a hair below the exact overlap
    it bounds (seen at 1M datasets: 0.49999997 for a pair matching at exactly 0.5); such
    a pair is still matched, and accepted on its exact overlap."""
    matrix = styled(200, STYLES[0], seed=3).matrix()
    pairs = candidate_pairs(matrix)
    scores = score_pairs(matrix, pairs, threshold=DEFAULT_THRESHOLD)
    k = int(np.flatnonzero(accepted(scores, DEFAULT_THRESHOLD))[0])
    exact = np.float32(scores.parts["holdings"][k])
    just_below = np.nextafter(exact, np.float32(0))
    monkeypatch.setattr(duplicates, "MIN_HOLDINGS_SIMILARITY", float(exact))
    monkeypatch.setattr(duplicates, "_bounds", lambda _m, _s, left, _r: np.full(len(left), just_below, np.float32))
    again = score_pairs(matrix, pairs[k : k + 1], threshold=0.0, deciding_only=True)
    assert len(again.left) == 1 and again.refined[0]
    assert again.parts["holdings"][0] == exact and accepted(again, 0.0)[0]


def test_a_proposals_bound_counts_every_field_the_matching_could_pair() -> None:
    """``check_proposal`` prunes systems by how many planned fields could match one of
    theirs; that count must never be below what the matching pairs, or a system is
    dropped before it is compared. Checked on every labelled pair (one side planned,
    the other held), including an element matched to the broader one it is a kind of
    (注册地址 ~ 地址) and a name with and without an optional attribute word."""
    normaliser = FieldNormaliser.standard()
    entries = [
        Entry("甲", "企业登记信息", ("注册地址", "企业名称", "床位数")),
        Entry("乙", "企业信息库", ("地址", "单位名称", "床位")),
    ]
    for name in ("duplicate_pairs.json", "duplicate_pairs_holdout.json", "duplicate_pairs_holdout2.json"):
        document = json.loads((Path(__file__).parent.parent / "data" / name).read_text(encoding="utf-8"))
        entries += [e for p in document["pairs"] for e in (LabelledPair.from_dict(p).a, LabelledPair.from_dict(p).b)]
    held = catalogue(entries[1::2])
    for k, planned in enumerate(entries[0::2]):
        wanted = fieldmatch.distinct([normaliser.read(f) for f in planned.fields])
        could = could_match_wanted(held, wanted)
        assert could[k] >= len(fieldmatch.match(wanted, held.row_fields(k))), planned


def test_columns_no_two_items_meet_in_go_and_every_pair_keeps_its_dot_product() -> None:
    """Scoring cuts each block of key columns before stacking them (``_across_items``):
    the dot product of every two different items is the one of the whole blocks side by
    side, and a column that only one item has, on both sides, is gone."""
    rng = np.random.default_rng(7)

    def block() -> sparse.csr_matrix:
        values = rng.integers(-1, 3, size=(30, 40)) * (rng.random((30, 40)) < 0.08)
        return sparse.csr_matrix(values.astype(np.float32))

    blocks = [(block(), block()) for _ in range(3)]
    probe, target = _across_items(blocks)
    whole_probe = sparse.hstack([p for p, _ in blocks], format="csr")
    whole_target = sparse.hstack([t for _, t in blocks], format="csr")
    cut = (probe @ target.T).toarray()
    whole = (whole_probe @ whole_target.T).toarray()
    different = ~np.eye(30, dtype=bool)
    assert np.array_equal(cut[different], whole[different])
    met = sum(
        int(((p.T @ sparse.csr_matrix((1 - np.eye(30)).astype(np.float32)) @ t).diagonal() != 0).sum())
        for p, t in ((abs(p), abs(t)) for p, t in blocks)
    )
    assert probe.shape[1] == met < whole_probe.shape[1]
