"""Case saves reach the search index through one coalesced task, never a task per save."""

from unittest import mock

import pytest
from django.core.cache import cache

from knowledge.indexing import QUEUED_KEY, cases_index_stale
from knowledge.models import Case
from knowledge.search import case_search
from portal.models import ProductLine


def make_case(title: str) -> Case:
    return Case.objects.create(
        title=title,
        symptom="开机后显示E6停机",
        resolution="重新压接连接线",
        product_line=ProductLine.objects.get(code="AC"),
        live=True,
    )


@pytest.fixture(autouse=True)
def empty_index_and_marker():
    from modelsearch.backends import get_search_backend

    # The on-disk index outlives each test's rolled-back database.
    get_search_backend().get_index_for_model(Case).reset()
    cache.delete(QUEUED_KEY)
    yield
    cache.delete(QUEUED_KEY)


def test_many_case_saves_queue_one_index_task_that_indexes_them_all(
    db, django_capture_on_commit_callbacks
):
    with (
        mock.patch("knowledge.tasks.index_cases.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        cases = [make_case(f"家用空调 E6 通信故障 {n}") for n in range(5)]
        for case in cases:
            case.occurrences += 1
            case.save()
    assert queued.call_count == 1
    assert Case.objects.filter(search_stale=True).count() == 5
    assert not case_search(query="通信故障").hits

    assert cases_index_stale(batch_size=2) == 5
    assert not Case.objects.filter(search_stale=True).exists()
    assert len(case_search(query="通信故障").hits) == 5


def test_a_case_saved_with_update_fields_is_still_marked_for_indexing(db):
    case = make_case("家用空调 E6 通信故障")
    cases_index_stale()
    case.title = "家用空调 E6 室外机不启动"
    case.save(update_fields=["title"])
    assert Case.objects.get(pk=case.pk).search_stale


def test_an_index_pass_lost_with_its_worker_is_made_up_by_the_next(
    db, django_capture_on_commit_callbacks
):
    with (
        mock.patch("knowledge.tasks.index_cases.apply_async"),  # the message is lost
        django_capture_on_commit_callbacks(execute=True),
    ):
        make_case("家用空调 E6 通信故障")
    assert not case_search(query="通信故障").hits
    cache.delete(QUEUED_KEY)  # the "queued" marker expires (QUEUED_TTL)
    with django_capture_on_commit_callbacks(execute=True):
        make_case("家用空调 E6 连接线松动")
    # The next save's pass writes both: the stale flag is in the database, not the message.
    assert len(case_search(query="E6").hits) == 2


def test_deleting_a_case_removes_it_from_the_index(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case("家用空调 E6 通信故障")
    assert case_search(query="通信故障").hits
    case.delete()
    assert not case_search(query="通信故障").hits


def test_a_long_backlog_is_indexed_in_bounded_runs_that_queue_their_follow_up(db):
    for n in range(5):
        make_case(f"家用空调 E6 通信故障 {n}")
    with mock.patch("knowledge.tasks.index_cases.apply_async") as queued:
        assert cases_index_stale(batch_size=2, max_batches=2) == 4
    assert queued.call_count == 1
    assert Case.objects.filter(search_stale=True).count() == 1
