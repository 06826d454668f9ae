"""A real Celery worker (queue ``certification``) produces an export job queued by a page."""

import pytest
from django.urls import reverse

from certification.dashboards import exports
from certification.dashboards.models import ExportJob
from tests.integration.conftest import wait_for

from .conftest import login


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_produces_a_queued_export_and_reports_progress(
    real_broker, client, network, monkeypatch
):
    monkeypatch.setattr(exports, "DIRECT_EXPORT_MAX_TECHNICIANS", 0)
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:export", args=["matrix", "xlsx"]))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboards:export_job", args=[job.pk])

    def finished():
        job.refresh_from_db()
        return job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED)

    assert wait_for(finished, timeout=60), "the worker never ran the export"
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.progress == 100 and job.file.name.endswith(".xlsx")
    status = client.get(reverse("dashboards:export_job_status", args=[job.pk])).json()
    assert status["download"] == reverse("dashboards:export_download", args=[job.pk])
