"""
The Whoosh backend end to end on the portal's own indexed models: Chinese text, outlet codes,
database filters, autocomplete, the synonym hook, rebuilds and concurrent writers.

Each test gets a fresh index directory; the backend is built from its dotted path, so the
portal's configured search backend is irrelevant here.
"""

import multiprocessing
from types import SimpleNamespace

import pytest
from modelsearch.backends import get_search_backend
from modelsearch.backends.base import FilterError, FilterFieldError, OrderByFieldError
from modelsearch.query import Phrase
from whoosh import query as wq

from portal.models import ServiceOutlet
from portal.search.index import IndexLockTimeout, WhooshIndex
from tests.factories import OutletFactory, RegionFactory

BACKEND = "portal.search.backend"


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "search-index"


@pytest.fixture
def backend(index_dir):
    return get_search_backend(BACKEND, PATH=str(index_dir))


@pytest.fixture
def outlets(db, backend):
    east = RegionFactory(code="east", name="华东大区")
    south = RegionFactory(code="south", name="华南大区")
    created = {
        "compressor": OutletFactory(code="SH-01", name="上海空调压缩机维修中心", region=east),
        "sales": OutletFactory(code="HZ-02", name="杭州压缩机销售与空调维修", region=east),
        "guangzhou": OutletFactory(code="GZ-03", name="广州压缩机维修站", region=south),
        "refrigerant": OutletFactory(code="SZ-04", name="深圳冷媒加注服务站", region=south),
    }
    backend.add_bulk(ServiceOutlet, list(created.values()))
    return SimpleNamespace(east=east, south_region=south, **created)


def names(results):
    return {outlet.name for outlet in results}


def test_search_finds_outlets_by_chinese_part_name(backend, outlets):
    results = backend.search("压缩机", ServiceOutlet)
    assert names(results) == {
        outlets.compressor.name,
        outlets.sales.name,
        outlets.guangzhou.name,
    }


def test_search_applies_queryset_filters_in_the_database(backend, outlets):
    results = backend.search("压缩机", ServiceOutlet.objects.filter(region=outlets.east))
    assert names(results) == {outlets.compressor.name, outlets.sales.name}
    assert results.count() == 2


def test_search_orders_by_database_field_when_relevance_is_off(backend, outlets):
    results = backend.search(
        "压缩机", ServiceOutlet.objects.order_by("-region_id"), order_by_relevance=False
    )
    codes = [outlet.code for outlet in results]
    # South was created after East, so its outlet comes first; East's two tie.
    assert codes[0] == "GZ-03"
    assert sorted(codes[1:]) == ["HZ-02", "SH-01"]


def test_ordering_by_field_that_is_not_a_filter_field_raises(backend, outlets):
    with pytest.raises(OrderByFieldError):
        backend.search("压缩机", ServiceOutlet.objects.order_by("code"), order_by_relevance=False)


def test_chinese_phrase_requires_adjacent_words(backend, outlets):
    results = backend.search(Phrase("压缩机维修"), ServiceOutlet)
    assert names(results) == {outlets.compressor.name, outlets.guangzhou.name}


@pytest.mark.parametrize("query", ["SH-01", "sh01", "ＳＨ－０１", "Sh-01"])
def test_outlet_code_is_found_in_any_width_and_case(backend, outlets, query):
    assert names(backend.search(query, ServiceOutlet)) == {outlets.compressor.name}


def test_autocomplete_completes_chinese_word_prefix(backend, outlets):
    results = backend.autocomplete("冷", ServiceOutlet)
    assert names(results) == {outlets.refrigerant.name}


def test_autocomplete_rejects_phrase_query_when_the_search_is_made(backend, outlets):
    with pytest.raises(NotImplementedError):
        backend.autocomplete(Phrase("压缩机维修"), ServiceOutlet)


def test_search_results_carry_float_relevance_scores(backend, outlets):
    results = backend.search("压缩机 维修", ServiceOutlet).annotate_score("score")
    assert all(isinstance(outlet.score, float) for outlet in results)


def test_filter_with_lookup_other_backends_cannot_run_raises(backend, outlets):
    with pytest.raises(FilterError):
        backend.search("压缩机", ServiceOutlet.objects.filter(status__icontains="act"))


def test_filter_on_field_that_is_not_a_filter_field_raises(backend, outlets):
    with pytest.raises(FilterFieldError):
        backend.search("压缩机", ServiceOutlet.objects.filter(address="上海"))


def test_query_expander_hook_adds_alternatives_for_a_term(index_dir, outlets):
    synonyms = {"雪种": ["冷媒", "制冷剂"]}
    expanding = get_search_backend(
        BACKEND, PATH=str(index_dir), QUERY_EXPANDER=lambda term: synonyms.get(term, [])
    )
    plain = get_search_backend(BACKEND, PATH=str(index_dir))

    assert names(expanding.search("雪种", ServiceOutlet)) == {outlets.refrigerant.name}
    assert names(plain.search("雪种", ServiceOutlet)) == set()


def test_unknown_backend_option_is_rejected(index_dir):
    with pytest.raises(Exception, match="PATHS"):
        get_search_backend(BACKEND, PATHS=str(index_dir))


def test_rebuild_publishes_a_fresh_index_without_deleted_objects(backend, outlets):
    index = backend.get_index_for_model(ServiceOutlet)
    gone = outlets.sales
    gone.delete()

    rebuilder = backend.rebuilder_class(index)
    new_index = rebuilder.start()
    new_index.add_items(ServiceOutlet, list(ServiceOutlet.objects.all()))
    rebuilder.finish()

    assert backend.search("杭州", ServiceOutlet).count() == 0
    assert backend.search("压缩机", ServiceOutlet).count() == 2


def test_search_sees_old_index_until_rebuild_finishes(backend, outlets):
    index = backend.get_index_for_model(ServiceOutlet)
    rebuilder = backend.rebuilder_class(index)
    rebuilder.start()  # nothing added yet: the new generation is empty

    assert backend.search("压缩机", ServiceOutlet).count() == 3
    rebuilder.finish()
    assert backend.search("压缩机", ServiceOutlet).count() == 0


def test_outlet_saved_during_rebuild_survives_publication(backend, outlets):
    index = backend.get_index_for_model(ServiceOutlet)
    rebuilder = backend.rebuilder_class(index)
    rebuilding = rebuilder.start()
    # The rebuild has read and written only part of the table when an editor saves an outlet.
    rebuilding.add_items(ServiceOutlet, [outlets.compressor])
    late = OutletFactory(code="NJ-05", name="南京压缩机维修部", region=outlets.east)
    backend.add(late)
    rebuilder.finish()

    assert names(backend.search("压缩机", ServiceOutlet)) == {outlets.compressor.name, late.name}


def test_second_writer_waits_then_fails_loudly_when_lock_is_held(index_dir):
    index = WhooshIndex(SimpleNamespace(path=index_dir, lock_timeout=0.2), "locking")
    with index.writer(), pytest.raises(IndexLockTimeout), index.writer():
        pass


def _write_documents(index_dir, worker, count):
    index = WhooshIndex(SimpleNamespace(path=index_dir, lock_timeout=30), "concurrency")
    for number in range(count):
        with index.writer() as writer:
            writer.update_document(
                doc_id=f"{worker}-{number}", content_types="tests.doc", t_body="压缩机"
            )


def test_concurrent_writer_processes_lose_no_documents(index_dir):
    workers, per_worker = 4, 15
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_write_documents, args=(index_dir, worker, per_worker))
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * workers

    index = WhooshIndex(SimpleNamespace(path=index_dir, lock_timeout=1), "concurrency")
    hits = index.search(wq.Term("t_body", "压缩机"), "tests.doc")
    assert len(hits) == workers * per_worker
