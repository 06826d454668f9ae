"""Trainers' dictionary words (take effect for new queries at once, as one indexed word after a
reindex), the backend's MAX_HITS cap, and bad input on the search page and the search API."""

import pytest
from django.core.exceptions import ValidationError
from modelsearch.backends import get_search_backend

from knowledge.indexing import cases_index_stale
from knowledge.models import Case, SearchWord
from knowledge.search import case_search
from portal.models import ProductLine
from portal.search.analysis import get_segmenter, index_terms, query_terms, vocabulary_changed
from portal.services import api_key_create

NEW_WORD = "外风机"


def make_case(title, symptom, line="AC", validated=False):
    case = Case.objects.create(
        title=title,
        symptom=symptom,
        resolution="按规范处理",
        product_line=ProductLine.objects.get(code=line),
        kcs_status="validated" if validated else "not_validated",
        live=True,
    )
    cases_index_stale()  # what the coalesced index task does once the save commits
    return case


@pytest.fixture
def vocabulary(db):
    """Leaves the process's segmenter as it found it (the test's words are rolled back)."""
    yield
    SearchWord.objects.all().delete()
    vocabulary_changed()
    get_segmenter()


@pytest.fixture
def fan_cases(vocabulary):
    return {
        "outdoor": make_case("外风机不转", "制冷时外风机不转，过一会外机停机"),
        "indoor": make_case("室内风机异响", "室内风机转起来有咯噔声"),
    }


def titles(outcome):
    return [hit.case.title for hit in outcome.hits]


def test_a_trainers_word_is_one_query_term_at_once_and_finds_cases_indexed_before_it(fan_cases):
    assert query_terms(NEW_WORD) == ["外", "风机"]

    SearchWord.objects.create(word=NEW_WORD)

    assert query_terms(NEW_WORD) == [NEW_WORD]
    # The case was indexed with "外 风机": the word's pieces match it as a phrase, and the
    # dictionary word inside (风机) still finds other fan cases, ranked after it.
    assert titles(case_search(query=NEW_WORD)) == ["外风机不转", "室内风机异响"]
    SearchWord.objects.filter(word=NEW_WORD).delete()
    make_case("外机风机不转", "外机的风机不转")  # 外 and 风机, not next to each other
    SearchWord.objects.create(word=NEW_WORD)
    assert titles(case_search(query=NEW_WORD))[0] == "外风机不转"


def test_cases_hold_a_trainers_word_whole_once_reindexed(fan_cases):
    assert NEW_WORD not in {term for _pos, term in index_terms(fan_cases["outdoor"].symptom)}
    SearchWord.objects.create(word=NEW_WORD)
    assert NEW_WORD in {term for _pos, term in index_terms(fan_cases["outdoor"].symptom)}
    fan_cases["outdoor"].save()  # re-indexed, as update_index would
    cases_index_stale()
    assert titles(case_search(query=NEW_WORD))[0] == "外风机不转"


def test_deactivating_a_word_restores_the_shipped_segmentation(fan_cases):
    word = SearchWord.objects.create(word=NEW_WORD)
    assert query_terms(NEW_WORD) == [NEW_WORD]
    word.active = False
    word.save()
    assert query_terms(NEW_WORD) == ["外", "风机"]


def test_synonym_words_become_query_terms_so_they_can_be_expanded(vocabulary):
    make_case("空调缺氟", "用户说空调吹的风没以前凉，检查缺氟")
    assert query_terms("空调冷得慢") != ["空调", "冷得慢"]
    from knowledge.models import SynonymGroup

    SynonymGroup.objects.create(terms="冷得慢, 缺氟")
    assert query_terms("空调冷得慢") == ["空调", "冷得慢"]
    assert titles(case_search(query="空调冷得慢")) == ["空调缺氟"]


@pytest.mark.parametrize("word", ["a", "空", "四通阀 线圈", "E6故障", "😀😀"])
def test_a_dictionary_word_must_be_two_or_more_chinese_characters(db, word):
    with pytest.raises(ValidationError):
        SearchWord(word=word).full_clean()


def test_trainers_add_dictionary_words_in_the_admin(client, vocabulary):
    from portal.roles import Role
    from tests.factories import StaffFactory

    trainer = StaffFactory(employee_no="T-DICT", outlet=None, roles=[Role.TRAINER])
    client.force_login(trainer.user)
    url = "/admin/snippets/knowledge/searchword/add/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"word": NEW_WORD, "active": "on"})
    assert response.status_code == 302
    assert SearchWord.objects.filter(word=NEW_WORD).exists()
    assert query_terms(NEW_WORD) == [NEW_WORD]
    bad = client.post(url, {"word": "E6", "active": "on"})
    assert bad.status_code == 200 and not SearchWord.objects.filter(word="e6").exists()


def test_max_hits_keeps_the_best_hits_and_looks_further_when_filters_reject_them(db, tmp_path):
    backend = get_search_backend("portal.search.backend", PATH=str(tmp_path), MAX_HITS=2)
    strong = [make_case(f"漏水 漏水 漏水 {n}", "空调漏水 漏水") for n in range(3)]
    weak = make_case("洗衣机漏水", "底部有水", line="WM")
    backend.add_bulk(Case, [*strong, weak])

    results = backend.search("漏水", Case)
    assert results.count() == 2
    assert weak not in list(results)
    washers = ProductLine.objects.get(code="WM")
    only_washers = backend.search("漏水", Case.objects.filter(product_line=washers))
    assert list(only_washers) == [weak]


BAD_QUERIES = [
    "",
    "   ",
    "空调" * 2500,  # 5,000 characters
    '"',
    "*",
    "AND",
    ":",
    'E6 AND "漏水" OR NOT * : ( ) ~ ^',
    "😀🔧",
    "空调😀漏水",
    "KFR-35GW/Bp漏水mixed ｅ６",
    "\x00\x1f漏水",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_odd_queries_on_the_search_page_never_error(client, fan_cases, two_regions, query):
    client.force_login(two_regions["sh_tech"].user)
    response = client.get("/knowledge/search/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_odd_queries_on_the_search_api_answer_json(client, fan_cases, query):
    key = api_key_create(name="dispatch", scopes=["knowledge:read"])[1]
    response = client.get(
        "/api/v1/knowledge/search", {"q": query}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200
    payload = response.json()
    assert set(payload) >= {"count", "results", "facets"}


def test_mixed_scripts_and_full_width_codes_still_find_the_case(fan_cases):
    make_case("E6 通信故障", "显示E6，外机不启动")
    assert "E6 通信故障" in titles(case_search(query="ｅ６外机"))
    assert "E6 通信故障" in titles(case_search(query="空调😀E6"))
