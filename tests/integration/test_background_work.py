"""Wagtail's own background work (django_tasks) runs on the portal's Celery workers."""

import pytest
from django.db import transaction

from portal.models import Region
from portal.task_backend import CeleryTaskBackend
from tests.integration.conftest import wait_for


def _indexed(model, pk, words) -> bool:
    """Whether a search for ``words`` through the configured backend finds the object."""
    from wagtail.search.backends import get_search_backend

    return pk in {obj.pk for obj in get_search_backend().search(words, model)}


@pytest.mark.django_db(transaction=True)
def test_wagtail_tasks_are_published_only_when_the_transaction_commits(settings, monkeypatch):
    """A worker must never look for a row its transaction has not committed yet."""
    settings.TASKS = {"default": {"BACKEND": "portal.task_backend.CeleryTaskBackend"}}
    published = []
    monkeypatch.setattr(
        CeleryTaskBackend, "_publish", lambda self, result: published.append(result)
    )
    with transaction.atomic():
        Region.objects.create(code="north", name="华北大区")
        assert published == []
    assert [r.task.name for r in published] == ["insert_or_update_object_task"]
    assert published[0].args == ["portal", "region", str(Region.objects.get().pk)]


@pytest.mark.django_db(transaction=True)
def test_eager_celery_runs_wagtail_index_updates_through_the_bridge(settings):
    settings.TASKS = {"default": {"BACKEND": "portal.task_backend.CeleryTaskBackend"}}
    region = Region.objects.create(code="west", name="西南大区")
    assert _indexed(Region, region.pk, "西南大区")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_updates_the_search_index_after_a_save(real_broker):
    region = Region.objects.create(code="northwest", name="西北大区")
    assert wait_for(lambda: _indexed(Region, region.pk, "西北大区")), (
        "the worker never indexed the region"
    )
