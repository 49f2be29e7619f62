import pytest

from registry.synth import generate, to_declaration


def test_same_seed_same_registry() -> None:
    a, b = generate(datasets=200, seed=7), generate(datasets=200, seed=7)
    assert a.dataset_names == b.dataset_names and a.field_lists == b.field_lists and a.truth == b.truth
    assert generate(datasets=200, seed=8).dataset_names != a.dataset_names


def test_size_and_fields_per_dataset() -> None:
    synth = generate(datasets=500, fields_per_dataset=20)
    assert 500 <= len(synth.dataset_keys) <= 550
    assert sum(len(f) for f in synth.field_lists) / len(synth.field_lists) == pytest.approx(20, abs=1)


def test_clean_registry_plants_nothing() -> None:
    truth = generate(datasets=200, plant=False).truth
    assert truth["duplicates"] == {"Dataset": [], "System": []}
    assert truth["gaps"] == [] and truth["placement"] == []


def test_planted_duplicates_use_other_spellings() -> None:
    synth = generate(datasets=300, seed=1)
    base, copy = (synth.dataset_keys.index(k) for k in synth.truth["duplicates"]["Dataset"][0][:2])
    names = lambda i: {synth.field_names[f] for f in synth.field_lists[i]}  # noqa: E731
    assert names(base) != names(copy)
    assert synth.dataset_names[base] != synth.dataset_names[copy]
    assert synth.department_of(base) != synth.department_of(copy)


def test_declaration_validates() -> None:
    declaration = to_declaration(generate(datasets=100))
    assert declaration.errors == []
    labels = {n.LABEL for n in declaration.nodes}
    assert {"Department", "System", "Dataset", "Field", "Need", "Project", "DataElement"} <= labels


def test_a_registry_too_small_to_plant_in_says_so_instead_of_looping() -> None:
    import pytest

    from registry.synth import generate

    with pytest.raises(ValueError, match="too small"):
        generate(datasets=10, seed=0)
