"""Exports (XLSX, CSV with BOM, background jobs with progress and owner-only download), the
monthly outlet report, training health, knowledge health and the SVG charts."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from certification.dashboards import exports
from certification.dashboards.charts import bar_chart, grouped_bar_chart, line_chart
from certification.dashboards.models import ExportJob
from certification.dashboards.services import export_job_create, export_job_run
from certification.dashboards.training import quiz_health, training_by_outlet, training_hours
from courses.models import LessonProgress, PathAssignment, QuizAttempt
from courses.services import lesson_complete
from tests.factories import make_course, make_graded_attempt, make_path, make_quiz

from .conftest import login

DAY = dt.timedelta(days=1)


def _sheet_rows(content: bytes, title: str | None = None):
    book = load_workbook(io.BytesIO(content))
    sheet = book[title] if title else book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_matrix_xlsx_holds_every_technician_of_the_scope_with_status_level_and_date(
    client, network
):
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:export", args=["matrix", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = _sheet_rows(response.content)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["工号", "姓名"]
    by_no = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_no) == {"J-SH", "J-HZ"}
    inverter = by_no["J-SH"]["变频空调故障诊断（AC-INVERTER-DIAG）"]
    expires = timezone.localdate(network["certs"]["sh_inverter"].expires_at).isoformat()
    assert "L2" in inverter and expires in inverter


def test_matrix_export_applies_the_page_filters(client, network):
    login(client, network["east_manager"])
    response = client.get(
        reverse("dashboards:export", args=["matrix", "csv"]), {"status": "expiring_30"}
    )
    text = response.content.decode("utf-8-sig")
    assert "J-SH" in text and "J-HZ" not in text


def test_big_exports_run_as_a_job_with_a_progress_page_and_a_download(
    client, network, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "DIRECT_EXPORT_MAX_TECHNICIANS", 1)
    login(client, network["east_manager"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("dashboards:export", args=["matrix", "xlsx"]))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboards:export_job", args=[job.pk])
    waiting = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting
    assert (
        client.get(reverse("dashboards:export_job_status", args=[job.pk])).json()["download"]
        is None
    )
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress == 100
    done = client.get(reverse("dashboards:export_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in done
    download = client.get(reverse("dashboards:export_download", args=[job.pk]))
    rows = _sheet_rows(b"".join(download.streaming_content))
    assert {r[0] for r in rows[1:]} == {"J-SH", "J-HZ"}


def test_running_a_finished_job_again_changes_nothing(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=network["east_manager"].user, kind="lapses", file_format="csv", params={}
        )
    job.refresh_from_db()
    name = job.file.name
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.file.name == name and job.status == ExportJob.Status.DONE


def test_monthly_report_is_a_workbook_of_one_outlet(
    client, network, django_capture_on_commit_callbacks
):
    login(client, network["east_manager"])
    month = timezone.localdate().strftime("%Y-%m")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboards:monthly_report"), {"outlet": network["sh"].pk, "month": month}
        )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboards:export_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    book = load_workbook(job.file.path)
    assert book.sheetnames[0] == "概览"
    summary = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["月份"] == month and summary["技师人数"] == 1
    matrix = [r[0] for r in book["认证矩阵"].iter_rows(values_only=True)][1:]
    assert matrix == ["J-SH"]


def test_monthly_report_refuses_a_malformed_month(client, network):
    login(client, network["east_manager"])
    response = client.post(
        reverse("dashboards:monthly_report"), {"outlet": network["sh"].pk, "month": "11/2026"}
    )
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_onboarding_completion_and_overdue_assignments_per_outlet(network):
    from portal.roles import Role
    from tests.factories import StaffFactory

    course = make_course("新员工入职培训", lessons=1)
    path = make_path("入职必修", [course], is_onboarding=True)
    today = timezone.localdate()
    late = StaffFactory(employee_no="N-LATE", outlet=network["sh"], roles=[Role.NEW_STAFF])
    done = StaffFactory(employee_no="N-DONE", outlet=network["sh"], roles=[Role.NEW_STAFF])
    PathAssignment.objects.create(
        path=path, role=Role.NEW_STAFF, due_mode="fixed", due_date=today - 3 * DAY
    )
    lesson_complete(user=done.user, lesson=course.get_children().first().specific)
    rows = {r.outlet.code: r for r in training_by_outlet(user=network["east_manager"].user)}
    sh = rows["SH-01"]
    assert (sh.onboarding_assigned, sh.onboarding_completed, sh.onboarding_overdue) == (2, 1, 1)
    assert [p.employee_no for p, _title, _due in sh.overdue_people] == [late.employee_no]
    assert "GZ-01" not in rows


def test_pass_rates_and_hardest_questions_come_from_the_scope_only(network):
    quiz = make_quiz("分体机安装考试", pass_mark=60)
    now = timezone.now()
    key = {"q1": {"question_id": 101, "stem_text": "铜管喇叭口怎么检查？"}}
    for staff, score, mark in (
        (network["sh_tech"], "90.00", 1.0),
        (network["hz_tech"], "40.00", 0.0),
        (network["hz_tech"], "50.00", 0.0),
        (network["gz_tech"], "100.00", 1.0),
    ):
        attempt = make_graded_attempt(staff.user, quiz, score=score, at=now - DAY)
        QuizAttempt.objects.filter(pk=attempt.pk).update(answer_key=key, results={"q1": mark})
    health = quiz_health(user=network["east_manager"].user)
    [rate] = health.quizzes
    assert (rate.attempts, rate.passed) == (3, 1)
    [hard] = health.hardest
    assert hard.label == "铜管喇叭口怎么检查？" and hard.facility == pytest.approx(1 / 3, 0.01)
    assert health.monthly[-1][1:] == (3, 1)


def test_training_hours_count_lessons_and_quiz_time_per_month(network):
    course = make_course("冷媒回收操作", lessons=1, self_enrolment=True)
    lesson = course.get_children().first().specific
    lesson_complete(user=network["sh_tech"].user, lesson=lesson)
    LessonProgress.objects.filter(user=network["sh_tech"].user).update(completed_at=timezone.now())
    quiz = make_quiz("冷媒回收考试", pass_mark=60)
    attempt = make_graded_attempt(network["sh_tech"].user, quiz, score="80", at=timezone.now())
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.submitted_at - dt.timedelta(minutes=50)
    )
    months, rows = training_hours(user=network["east_manager"].user, months=3)
    by_no = {r.staff.employee_no: r for r in rows}
    # One 10-minute lesson plus 50 minutes of quiz: one hour this month.
    assert by_no["J-SH"].hours[-1] == 1.0
    assert by_no["J-HZ"].total == 0
    assert "J-GZ" not in by_no and len(months) == 3


def test_training_and_knowledge_pages_render_charts(client, network):
    login(client, network["east_manager"])
    body = client.get(reverse("dashboards:training")).content.decode()
    assert body.count("<svg") >= 2
    assert "<svg" in client.get(reverse("dashboards:index")).content.decode()
    assert "<svg" in client.get(reverse("dashboards:coverage")).content.decode()


def test_charts_escape_labels_and_scale_bars():
    svg = str(bar_chart([("<b>网点</b>", 5), ("杭州", 10)], title="t&t"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "t&amp;t" in svg
    assert 'width="0.0"' not in svg
    grouped = str(grouped_bar_chart(["A"], [("今天", [2]), ("90天后", [1])], title="x"))
    assert grouped.count("<rect") == 4  # two legend swatches, two bars
    line = str(line_chart(["1", "2", "3"], [("通过率", [50, None, 80])], title="y", suffix="%"))
    assert "<polyline" not in line  # a gap splits the line into single points
    assert line.count("<circle") == 2


def test_home_page_links_managers_to_the_dashboards(client, network):
    from wagtail.models import Page, Site

    from portal.models import HomePage

    if not HomePage.objects.exists():
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="首页", slug="home-dash"))
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
        )
    login(client, network["east_manager"])
    body = client.get("/").content.decode()
    assert reverse("dashboards:index") in body
