"""
Search analysis behaviour technicians rely on: Chinese part and fault names, phrases, fault
codes, model numbers and full-width input.

Matching runs through a real on-disk Whoosh index built with the backend's schema and analyzer,
queried the way the backend queries (every analysed term must match; phrases by position).
"""

from types import SimpleNamespace

import pytest
from whoosh import query as wq

from portal.search.analysis import (
    DICTIONARY_PATH,
    VALUE_SEPARATOR,
    index_terms,
    normalise,
    query_terms,
)
from portal.search.index import WhooshIndex

CONTENT_TYPE = "tests.document"
COLUMN = "t_body"


class Corpus:
    """A throwaway index of short texts, searched like the backend searches a text field."""

    def __init__(self, path, texts):
        self.texts = list(texts)
        backend = SimpleNamespace(path=path, lock_timeout=5)
        self.index = WhooshIndex(backend, "analysis_tests")
        with self.index.writer() as writer:
            for number, text in enumerate(self.texts):
                writer.update_document(
                    doc_id=str(number), content_types=CONTENT_TYPE, **{COLUMN: text}
                )

    def _run(self, whoosh_query):
        hits = self.index.search(whoosh_query, CONTENT_TYPE)
        return {self.texts[int(pk)] for pk, _score in hits}

    def search(self, text):
        """Texts containing every term of ``text`` (the backend's ``operator="and"``)."""
        terms = query_terms(text)
        assert terms, f"{text!r} analyses to no terms"
        return self._run(wq.And([wq.Term(COLUMN, term) for term in terms]))

    def phrase(self, text):
        """Texts containing the terms of ``text`` next to each other, in order."""
        terms = query_terms(text)
        assert len(terms) > 1, f"{text!r} is not a phrase: {terms}"
        return self._run(wq.Phrase(COLUMN, terms))

    def prefix(self, text):
        """Texts with a term starting with each query term (the backend's autocomplete)."""
        return self._run(wq.And([wq.Prefix(COLUMN, term) for term in query_terms(text)]))


COMPRESSOR_FAULT = "空调压缩机不启动，检查电容"
FAN_FAULT = "压缩机正常，室内风机不启动"
OUTDOOR_LEAK = "室外机漏水，排水管堵塞"
MODEL_NUMBER = "KFR-35GW/BpNhAa1 室外机四通阀异响"
OTHER_MODEL = "KFR-26GW/BpNhAa1 内机滴水"
E6_FAULT = "显示E6故障，检查通讯线"
E61_FAULT = "显示E61故障"
REFRIGERANT = "缺氟，加注R410A冷媒"
CAPACITOR_PART = "更换电容器后运行正常"


@pytest.fixture
def corpus(tmp_path):
    return Corpus(
        tmp_path,
        [
            COMPRESSOR_FAULT,
            FAN_FAULT,
            OUTDOOR_LEAK,
            MODEL_NUMBER,
            OTHER_MODEL,
            E6_FAULT,
            E61_FAULT,
            REFRIGERANT,
            CAPACITOR_PART,
        ],
    )


def _dictionary_words():
    lines = DICTIONARY_PATH.read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip()]


# Chinese words ---------------------------------------------------------------------------------


@pytest.mark.parametrize("word", _dictionary_words())
def test_every_domain_dictionary_word_is_one_search_term(word):
    assert query_terms(word) == [normalise(word).replace("-", "")]


def test_fault_description_splits_into_part_and_fault_words():
    assert query_terms(COMPRESSOR_FAULT) == ["空调", "压缩机", "不启动", "检查", "电容"]


def test_part_name_finds_fault_description_mentioning_it(corpus):
    assert corpus.search("压缩机") == {COMPRESSOR_FAULT, FAN_FAULT}


def test_several_words_find_only_texts_containing_all_of_them(corpus):
    assert corpus.search("空调压缩机 电容") == {COMPRESSOR_FAULT}


def test_shorter_dictionary_word_finds_longer_word_containing_it(corpus):
    assert corpus.search("外机") == {OUTDOOR_LEAK, MODEL_NUMBER}
    assert corpus.search("电容") == {COMPRESSOR_FAULT, CAPACITOR_PART}


def test_part_name_does_not_match_unrelated_single_characters(corpus):
    # 风机 (fan) shares a character with 压缩机 but is a different part.
    assert corpus.search("风机") == {FAN_FAULT}


def test_chinese_phrase_matches_adjacent_words_only(corpus):
    assert corpus.phrase("压缩机不启动") == {COMPRESSOR_FAULT}


def test_chinese_phrase_may_start_inside_a_longer_word(corpus):
    assert corpus.phrase("外机漏水") == {OUTDOOR_LEAK}


def test_chinese_phrase_in_wrong_order_does_not_match(corpus):
    assert corpus.phrase("不启动压缩机") == set()


def test_phrase_never_spans_two_values_of_a_multi_valued_field(tmp_path):
    corpus = Corpus(tmp_path, [VALUE_SEPARATOR.join(["更换压缩机", "不启动"])])
    assert corpus.search("压缩机 不启动")
    assert corpus.phrase("压缩机不启动") == set()


def test_chinese_prefix_completes_part_name(corpus):
    assert corpus.prefix("压缩") == {COMPRESSOR_FAULT, FAN_FAULT}


# Fault codes, model numbers, refrigerants -----------------------------------------------------


def test_fault_code_finds_text_with_that_code(corpus):
    assert corpus.search("E6") == {E6_FAULT}


def test_fault_code_does_not_match_longer_code(corpus):
    assert corpus.search("E61") == {E61_FAULT}


def test_fault_code_next_to_chinese_is_still_a_code():
    assert query_terms("E6故障") == ["e6", "故障"]
    assert query_terms("F4 P0") == ["f4", "p0"]


@pytest.mark.parametrize(
    "query",
    ["KFR-35GW/BpNhAa1", "KFR-35GW", "KFR35GW", "35GW", "35gw", "35GW/BpNhAa1", "kfr-35gw"],
)
def test_model_number_is_found_whole_and_by_its_parts(corpus, query):
    assert corpus.search(query) == {MODEL_NUMBER}


@pytest.mark.parametrize("query", ["ＫＦＲ－３５ＧＷ", "ｋｆｒ３５ｇｗ", "KFR—35GW", "Kfr‐35Gw"])
def test_full_width_and_mixed_case_model_number_input_finds_it(corpus, query):
    assert corpus.search(query) == {MODEL_NUMBER}


def test_model_number_with_other_capacity_is_not_found(corpus):
    assert corpus.search("35GW") == {MODEL_NUMBER}
    assert corpus.search("26GW") == {OTHER_MODEL}


def test_model_number_phrase_with_chinese_part_name(corpus):
    assert corpus.phrase("35GW 室外机") == {MODEL_NUMBER}


def test_model_number_prefix_completes_while_typing(corpus):
    assert corpus.prefix("KFR-3") == {MODEL_NUMBER}


def test_refrigerant_code_is_found_in_any_case(corpus):
    assert corpus.search("R410A") == {REFRIGERANT}
    assert corpus.search("r410a") == {REFRIGERANT}
    assert corpus.search("R32") == set()


# Normalisation and term positions -------------------------------------------------------------


def test_normalise_folds_full_width_dashes_and_case():
    assert normalise("ＫＦＲ－３５ＧＷ／ＢｐＮｈＡａ１") == "kfr-35gw/bpnhaa1"
    assert normalise("KFR–35GW") == "kfr-35gw"


@pytest.mark.parametrize("text", [COMPRESSOR_FAULT, MODEL_NUMBER, REFRIGERANT, E6_FAULT])
def test_each_query_term_is_indexed_at_its_own_position(text):
    indexed = set(index_terms(text))
    for position, term in enumerate(query_terms(text)):
        assert (position, term) in indexed


def test_punctuation_only_text_has_no_terms():
    assert query_terms("，。！？ - / ") == []
