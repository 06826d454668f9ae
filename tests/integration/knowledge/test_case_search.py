"""Technicians' case search: Chinese symptoms, codes, model fragments, synonyms edited by
trainers, facets, filters in the URL, analytics, and bad input that never breaks the page."""

import pytest

from knowledge.models import Case, SearchQueryLog, SynonymGroup
from knowledge.search import case_search
from portal.models import ProductLine
from portal.services import api_key_create


def make_case(title, symptom, resolution, line="AC", codes=(), models=(), validated=False):
    return Case.objects.create(
        title=title,
        symptom=symptom,
        resolution=resolution,
        product_line=ProductLine.objects.get(code=line),
        error_codes=list(codes),
        error_code=codes[0] if codes else "",
        product_models=list(models),
        kcs_status="validated" if validated else "not_validated",
        live=True,
    )


@pytest.fixture
def cases(db, django_capture_on_commit_callbacks):
    # Cases reach the search index when their transaction commits (knowledge/indexing.py).
    with django_capture_on_commit_callbacks(execute=True):
        return _cases()


def _cases():
    return {
        "e6": make_case(
            "家用空调 E6 通信故障",
            "开机后显示E6停机",
            "重新压接连接线",
            codes=["E6"],
            models=["KFR-35GW/BpNhAa1"],
        ),
        "cooling": make_case("家用空调 不制冷", "空调不制冷，出风不凉", "检查冷媒压力，补焊漏点"),
        "drip": make_case("家用空调 室内机漏水", "室内机往下漏水", "疏通排水管"),
        "washer": make_case(
            "洗衣机 E4 不排水", "洗衣机不排水", "清理排水泵异物", line="WM", codes=["E4"]
        ),
    }


def titles(outcome):
    return [hit.case.title for hit in outcome.hits]


def test_error_codes_and_model_fragments_find_the_case(cases):
    assert titles(case_search(query="E6"))[0] == "家用空调 E6 通信故障"
    assert titles(case_search(query="35GW"))[0] == "家用空调 E6 通信故障"


def test_a_colloquial_symptom_finds_the_case_through_synonyms(cases):
    assert "家用空调 室内机漏水" in titles(case_search(query="滴水"))


def test_synonyms_edited_by_trainers_apply_without_reindexing(cases):
    assert "家用空调 室内机漏水" not in titles(case_search(query="淌水"))
    SynonymGroup.objects.create(terms="漏水, 淌水")
    assert "家用空调 室内机漏水" in titles(case_search(query="淌水"))


def test_validated_cases_rank_above_unvalidated_ones_when_relevance_is_close(
    cases, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        twin = make_case(
            "家用空调 不制冷 冷媒不足", "空调不制冷，出风不凉", "补充冷媒", validated=True
        )
    assert titles(case_search(query="不制冷"))[0] == twin.title


def test_snippets_highlight_matches_and_escape_html(cases, django_capture_on_commit_callbacks):
    cases["drip"].symptom = "<script>x</script>室内机往下漏水"
    with django_capture_on_commit_callbacks(execute=True):
        cases["drip"].save()
    hit = next(h for h in case_search(query="漏水").hits if h.case == cases["drip"])
    assert "<mark>漏水</mark>" in hit.snippet and "<script>" not in hit.snippet


def test_facets_and_filters(cases):
    outcome = case_search(query="不排水 不制冷")
    lines = {f["product_line__code"]: f["count"] for f in outcome.facets["product_line"]}
    assert lines == {"AC": 1, "WM": 1}
    assert titles(case_search(query="不排水 不制冷", product_line="WM")) == ["洗衣机 E4 不排水"]


@pytest.mark.parametrize(
    "query", ["", "   ", "x" * 5000, '"AND OR NOT * : ( ) ~ ^', "😀🔧", "KFR-35GW/Bp漏水mixed"]
)
def test_odd_queries_give_results_or_a_helpful_page_never_an_error(
    client, cases, two_regions, query
):
    client.force_login(two_regions["sh_tech"].user)
    response = client.get("/knowledge/search/", {"q": query})
    assert response.status_code == 200


def test_zero_results_suggest_fewer_words_and_show_frequent_cases(client, cases, two_regions):
    client.force_login(two_regions["sh_tech"].user)
    body = client.get("/knowledge/search/", {"q": "漏水 火星文"}).content.decode()
    assert 'data-testid="no-results"' not in body  # "漏水" alone still matches
    body = client.get("/knowledge/search/", {"q": "量子 纠缠"}).content.decode()
    assert 'data-testid="no-results"' in body and "量子" in body


def test_searches_and_opened_results_are_logged_without_identity(client, cases, two_regions):
    client.force_login(two_regions["sh_tech"].user)
    client.get("/knowledge/search/", {"q": "E6"})
    log = SearchQueryLog.objects.get()
    assert log.role == "technician" and log.results == 1
    client.get(cases["e6"].get_absolute_url(), {"from": log.pk})
    log.refresh_from_db()
    assert log.clicked_case == cases["e6"]


def test_the_search_api_returns_the_contract(client, cases):
    key = api_key_create(name="dispatch", scopes=["knowledge:read"])[1]
    payload = client.get(
        "/api/v1/knowledge/search", {"q": "E6"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    ).json()
    assert payload["count"] == 1
    result = payload["results"][0]
    assert set(result) == {
        "case_id",
        "title",
        "url",
        "snippet",
        "product_line",
        "product_models",
        "error_codes",
        "status",
        "occurrences",
        "score",
        "source_tickets",
    }
    assert "product_line" in payload["facets"]
    bad = client.get(
        "/api/v1/knowledge/search",
        {"q": "E6", "page_size": 500},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"


def test_trainers_see_the_content_gap_report(client, cases, two_regions):
    from portal.roles import Role
    from tests.factories import StaffFactory

    case_search(query="量子纠缠", role="technician")
    trainer = StaffFactory(employee_no="T-GAP", outlet=None, roles=[Role.TRAINER])
    client.force_login(trainer.user)
    body = client.get("/admin/knowledge/search-report/").content.decode()
    assert "量子纠缠" in body
    client.force_login(two_regions["sh_tech"].user)
    assert client.get("/admin/knowledge/search-report/").status_code in (302, 403)
