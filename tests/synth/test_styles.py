import pytest

from registry.analysis.duplicates import clusters
from registry.synth.scoring import precision_recall
from registry.synth.styles import QUALIFIERS, STYLES, styled
from registry.synth.stylewords import NAME_SUFFIXES


def test_each_style_plants_copies_and_hard_negatives() -> None:
    for style in STYLES:
        catalogue = styled(400, style, seed=2)
        assert len(catalogue.keys) == 400
        assert len(catalogue.duplicates) == 40
        assert catalogue.duplicates == styled(400, style, seed=2).duplicates


def test_a_renamed_copy_shares_few_names_with_its_original() -> None:
    catalogue = styled(400, "renamed", seed=2)
    index = {k: i for i, k in enumerate(catalogue.keys)}
    original, copy = (catalogue.fields[index[k]] for k in catalogue.duplicates[0])
    assert len(set(original) & set(copy)) <= len(original) // 2


@pytest.mark.parametrize("style", ["renamed", "dropped_added"])
def test_detection_finds_copies_the_hard_styles_plant(style: str) -> None:
    catalogue = styled(800, style, seed=3)
    found = clusters(catalogue.matrix())
    precision, recall = precision_recall([c.keys for c in found], catalogue.duplicates)
    assert precision >= 0.9
    assert recall >= 0.9


def test_an_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown style"):
        styled(100, "misspelt")


def test_no_two_topics_share_a_stem() -> None:
    """Two topics drawn with one stem would name their datasets alike and share most
    fields: copies in all but the truth. 1,000 topics from the word lists' stems would
    repeat some if drawn independently."""
    catalogue = styled(5000, "exact", seed=1)
    copies = {copy for _, copy in catalogue.duplicates}
    cores = [
        name.removesuffix(suffix)
        for key, name in zip(catalogue.keys, catalogue.names, strict=True)
        if key not in copies and name.startswith(QUALIFIERS)
        for suffix in NAME_SUFFIXES
        if name.endswith(suffix)
    ]
    assert len(cores) == 4000
    assert len(set(cores)) == len(cores)
