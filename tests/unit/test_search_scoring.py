"""
Contract of the array scorer (portal/search/scoring.py): it must rank and score exactly as
Whoosh's own matchers would, over several segments and with deleted documents, so that moving
scoring out of Whoosh changed speed and nothing else.
"""

import pytest
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage

from portal.search.documents import build_schema
from portal.search.scoring import BestColumn, Scorer

TITLE, BODY = "t_title", "t_body"

DOCUMENTS = [
    {"doc_id": "1", TITLE: "compressor noise", BODY: "compressor hums loudly at start"},
    {"doc_id": "2", TITLE: "fan noise", BODY: "outdoor fan noise, fan blade cracked"},
    {"doc_id": "3", TITLE: "refrigerant leak", BODY: "leak at the valve, refrigerant low"},
    {"doc_id": "4", TITLE: "compressor overload", BODY: "capacitor weak, compressor trips"},
    {"doc_id": "5", TITLE: "drain leak", BODY: "water leak from the drain pan"},
    {"doc_id": "6", TITLE: "valve noise", BODY: "valve clicks; compressor noise afterwards"},
    {"doc_id": "7", TITLE: "sensor fault", BODY: "sensor open circuit, code E6"},
]


@pytest.fixture
def searcher(tmp_path):
    """Three segments (one commit each), one document deleted after the fact."""
    index = FileStorage(str(tmp_path)).create().create_index(build_schema())
    for chunk in (DOCUMENTS[:3], DOCUMENTS[3:5], DOCUMENTS[5:]):
        with index.writer() as writer:
            writer.merge = False
            for document in chunk:
                writer.add_document(**document)
    with index.writer() as writer:
        writer.merge = False
        writer.delete_by_term("doc_id", "5")
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) == 3
    yield searcher
    searcher.close()


QUERIES = {
    "term": wq.Term(BODY, "compressor"),
    "boosted term": wq.Term(TITLE, "noise", boost=3.0),
    "or across columns": wq.Or(
        [wq.Term(TITLE, "leak", boost=2.0), wq.Term(BODY, "leak"), wq.Term(BODY, "valve")]
    ),
    "and": wq.And([wq.Term(BODY, "compressor"), wq.Term(TITLE, "noise")]),
    "and not": wq.AndNot(wq.Every(), wq.Term(BODY, "compressor")),
    "phrase": wq.Phrase(BODY, ["fan", "noise"]),
    "prefix": wq.Prefix(BODY, "comp", constantscore=False),
    "fuzzy": wq.FuzzyTerm(BODY, "compresor", maxdist=1, prefixlength=1, constantscore=False),
    "deleted only": wq.Term(BODY, "drain"),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_array_scorer_scores_every_document_as_whoosh_does(searcher, name):
    query = QUERIES[name]
    expected = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}

    ranked = Scorer(searcher, "test").ranked(query)

    assert {docnum for _score, docnum in ranked} == set(expected)
    for score, docnum in ranked:
        assert score == pytest.approx(expected[docnum], rel=1e-9)


def test_array_scorer_returns_the_best_first_and_breaks_ties_by_document_order(searcher):
    scorer = Scorer(searcher, "test")

    everything = scorer.ranked(wq.Term(BODY, "compressor"))
    best_two = scorer.ranked(wq.Term(BODY, "compressor"), limit=2)

    scores = [score for score, _docnum in everything]
    assert scores == sorted(scores, reverse=True)
    assert best_two == everything[:2]
    tied = scorer.ranked(wq.Every())
    assert [docnum for _score, docnum in tied] == sorted(docnum for _score, docnum in tied)


def test_filter_restricts_matches_without_changing_scores(searcher):
    scorer = Scorer(searcher, "test")
    query = wq.Term(BODY, "compressor")

    filtered = scorer.ranked(query, filter_query=wq.Term(TITLE, "noise"))

    unfiltered = {docnum: score for score, docnum in scorer.ranked(query)}
    assert filtered and all(unfiltered[docnum] == score for score, docnum in filtered)
    assert len(filtered) < len(unfiltered)


def test_best_column_scores_the_best_column_plus_a_tenth_of_the_others(searcher):
    scorer = Scorer(searcher, "test")
    title = wq.Or([wq.Term(TITLE, "compressor"), wq.Phrase(TITLE, ["compressor", "noise"])])
    body = wq.Term(BODY, "compressor")
    in_title = {docnum: score for score, docnum in scorer.ranked(title)}
    in_body = {docnum: score for score, docnum in scorer.ranked(body)}

    combined = {docnum: score for score, docnum in scorer.ranked(BestColumn([title, body]))}

    assert set(combined) == set(in_title) | set(in_body)
    for docnum, score in combined.items():
        parts = [in_title.get(docnum, 0.0), in_body.get(docnum, 0.0)]
        assert score == pytest.approx(max(parts) + 0.1 * min(parts))


def test_column_values_read_the_stored_key_of_each_document(searcher):
    scorer = Scorer(searcher, "test")
    ranked = scorer.ranked(wq.Term(BODY, "noise"))

    keys = scorer.column_values("doc_id", [docnum for _score, docnum in ranked])

    assert sorted(keys) == ["2", "6"]


def test_a_query_repeated_on_one_snapshot_ranks_the_same(searcher):
    scorer = Scorer(searcher, "test")
    word = BestColumn([wq.Term(TITLE, "noise", boost=3.0), wq.Term(BODY, "noise")])
    query = wq.Or([word, wq.Term(BODY, "valve")])

    first = scorer.ranked(query)
    again = scorer.ranked(query)
    alone = scorer.ranked(word)

    assert first == again
    assert alone == Scorer(searcher, "test").ranked(word)
