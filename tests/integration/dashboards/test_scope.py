"""Scope: a manager sees and exports only their regions' data; anything outside answers 404,
from links and typed URLs alike; administrators see the whole network; others see nothing."""

import csv
import io

import pytest
from django.urls import reverse

from certification.dashboards.models import ExportJob
from certification.dashboards.services import export_job_create
from portal.models import Notification
from portal.roles import Role
from tests.factories import StaffFactory

from .conftest import login

PAGES = [
    "dashboards:index",
    "dashboards:matrix",
    "dashboards:coverage",
    "dashboards:lapses",
    "dashboards:training",
    "dashboards:knowledge",
    "dashboards:monthly_report",
    "dashboards:export_jobs",
]


@pytest.mark.parametrize("page", PAGES)
def test_dashboards_do_not_exist_for_technicians(client, network, page):
    login(client, network["sh_tech"])
    assert client.get(reverse(page)).status_code == 404


def test_dashboards_ask_anonymous_visitors_to_sign_in(client, network):
    response = client.get(reverse("dashboards:matrix"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_every_dashboard_page_opens_for_a_manager(client, network, page):
    login(client, network["east_manager"])
    assert client.get(reverse(page)).status_code == 200


def test_matrix_lists_only_the_managers_region(client, network):
    login(client, network["east_manager"])
    body = client.get(reverse("dashboards:matrix")).content.decode()
    assert "J-SH" in body and "J-HZ" in body
    assert "J-GZ" not in body


def test_administrator_sees_every_region_in_the_matrix(client, network, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("dashboards:matrix")).content.decode()
    assert all(no in body for no in ("J-SH", "J-HZ", "J-GZ"))


def test_manager_cannot_open_another_regions_technician_by_url(client, network):
    login(client, network["east_manager"])
    url = reverse("dashboards:technician", args=["J-GZ"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("dashboards:technician", args=["J-SH"])).status_code == 200
    assert client.get(reverse("dashboards:technician", args=["NOBODY"])).status_code == 404


@pytest.mark.parametrize(
    "page", ["dashboards:matrix", "dashboards:coverage", "dashboards:lapses", "dashboards:training"]
)
def test_filtering_by_another_regions_outlet_answers_404(client, network, page):
    login(client, network["east_manager"])
    assert client.get(reverse(page), {"outlet": network["gz"].pk}).status_code == 404
    assert client.get(reverse(page), {"outlet": "not-a-number"}).status_code == 404
    assert client.get(reverse(page), {"outlet": network["hz"].pk}).status_code == 200


def test_coverage_for_another_region_answers_404(client, network):
    login(client, network["east_manager"])
    url = reverse("dashboards:coverage")
    assert client.get(url, {"region": network["south"].pk}).status_code == 404
    assert client.get(url, {"region": network["east"].pk}).status_code == 200


def test_outlet_manager_without_listed_scope_sees_only_their_outlet(client, network):
    outlet_manager = StaffFactory(
        employee_no="M-HZ", outlet=network["hz"], roles=[Role.MANAGER, Role.TECHNICIAN]
    )
    login(client, outlet_manager)
    body = client.get(reverse("dashboards:matrix")).content.decode()
    assert "J-HZ" in body and "J-SH" not in body
    assert client.get(reverse("dashboards:technician", args=["J-SH"])).status_code == 404


@pytest.mark.parametrize("kind", ["matrix", "lapses", "training_hours", "coverage"])
def test_csv_exports_hold_only_the_managers_region(client, network, kind):
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:export", args=[kind, "csv"]))
    assert response.status_code == 200
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte-order mark"
    text = content.decode("utf-8-sig")
    assert "广州" not in text and "J-GZ" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 2


def test_export_filtered_by_another_regions_outlet_answers_404(client, network):
    login(client, network["east_manager"])
    url = reverse("dashboards:export", args=["matrix", "xlsx"])
    assert client.get(url, {"outlet": network["gz"].pk}).status_code == 404


def test_unknown_export_kind_or_format_answers_404(client, network):
    login(client, network["east_manager"])
    assert client.get(reverse("dashboards:export", args=["salaries", "xlsx"])).status_code == 404
    assert client.get(reverse("dashboards:export", args=["matrix", "pdf"])).status_code == 404


def test_only_the_owner_may_see_or_download_an_export(
    client, network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=network["east_manager"].user, kind="matrix", file_format="xlsx", params={}
        )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    login(client, network["south_manager"])
    for name in ("export_job", "export_job_status", "export_download"):
        assert client.get(reverse(f"dashboards:{name}", args=[job.pk])).status_code == 404
    login(client, network["east_manager"])
    assert client.get(reverse("dashboards:export_download", args=[job.pk])).status_code == 200


def test_an_export_job_for_an_outlet_outside_the_scope_fails_without_a_file(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=network["east_manager"].user,
            kind="monthly_report",
            file_format="xlsx",
            params={"outlet": network["gz"].pk, "month": "2026-11"},
        )
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert not job.file


def test_manager_cannot_remind_another_regions_technician(client, network):
    login(client, network["east_manager"])
    response = client.post(
        reverse("dashboards:lapse_remind"),
        {"kind": "certification", "item": network["certs"]["gz_install"].pk},
    )
    assert response.status_code == 404
    assert not Notification.objects.filter(user=network["gz_tech"].user).exists()


def test_monthly_report_for_another_regions_outlet_answers_404(client, network):
    login(client, network["east_manager"])
    response = client.post(
        reverse("dashboards:monthly_report"), {"outlet": network["gz"].pk, "month": "2026-11"}
    )
    assert response.status_code == 404
    assert not ExportJob.objects.exists()


def test_knowledge_health_counts_only_cases_fed_by_the_scope(client, network):
    from django.utils import timezone

    from knowledge.models import Case, CaseOccurrence, Ticket

    def case_from(employee_no, title):
        case = Case.objects.create(title=title, symptom="不制冷", resolution="补充冷媒", live=True)
        ticket = Ticket.objects.create(
            ticket_no=f"T-{employee_no}",
            closed_at=timezone.now(),
            technician_employee_no=employee_no,
            content_hash=employee_no,
        )
        CaseOccurrence.objects.create(case=case, ticket=ticket, seen_at=timezone.now())
        return case

    case_from("J-SH", "上海案例：外机不启动")
    case_from("J-GZ", "广州案例：E1报警")
    login(client, network["east_manager"])
    body = client.get(reverse("dashboards:knowledge")).content.decode()
    assert "上海案例" in body and "广州案例" not in body
