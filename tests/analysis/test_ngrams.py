"""The bigram space is built from integer codes, not strings: its vocabulary and rows
must be those of ``bigrams``, text by text, whatever the characters."""

from itertools import chain

from registry.analysis.ngrams import NgramSpace, bigrams

TEXTS = [
    "城镇公积金处罚业务信息",
    "",
    "户",
    "  （省级）城镇公积金处罚业务信息库 ",
    "𠀀𠀁𠀀𠀁",  # outside the basic plane
    "ＡＢｃ-12",  # full width, folded by NFKC
    "、。",  # punctuation only: no bigram
    "户籍人口信息",
    "𠀀",
]


def test_vocabulary_and_rows_are_those_of_bigrams() -> None:
    space = NgramSpace(TEXTS)
    expected = {g: i for i, g in enumerate(dict.fromkeys(chain.from_iterable(bigrams(t) for t in TEXTS)))}
    assert space.vocabulary == expected
    assert list(space.vocabulary) == list(expected)
    for row, text in enumerate(TEXTS):
        columns = space.matrix.indices[space.matrix.indptr[row] : space.matrix.indptr[row + 1]]
        assert sorted(columns.tolist()) == sorted({expected[g] for g in bigrams(text)})
    assert space.vocabulary["户"] != space.vocabulary["户籍"]
    assert "𠀀𠀁" in space.vocabulary and "𠀀" in space.vocabulary


def test_a_proposal_projects_onto_the_same_columns() -> None:
    space = NgramSpace(TEXTS)
    row = space.project("户籍人口信息")
    assert (row @ space.matrix.T).toarray()[0].argmax() == TEXTS.index("户籍人口信息")
