"""The technician profile, coverage by the eligibility service, lapses and their reminders."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.dashboards.coverage import CoverageFilters, coverage_for, lapses_for
from certification.dashboards.profile import technician_profile
from certification.dashboards.services import lapse_reminder_send
from certification.services import certification_suspend
from courses.services import lesson_complete
from portal.models import Notification
from tests.factories import make_course, make_graded_attempt, make_licence, make_quiz

from .conftest import login

DAY = dt.timedelta(days=1)


def test_profile_shows_learning_attempts_certifications_events_licences_and_suspensions(
    client, network
):
    tech = network["hz_tech"]
    course = make_course("变频空调原理", lessons=1, self_enrolment=True)
    lesson = course.get_children().first().specific
    lesson_complete(user=tech.user, lesson=lesson)
    quiz = make_quiz("变频空调诊断考试", pass_mark=60)
    make_graded_attempt(tech.user, quiz, score="55.00", at=timezone.now() - DAY)
    certification_suspend(
        certification=network["certs"]["hz_install"],
        user=network["east_manager"].user,
        reason_code="complaint",
        reason_text="客户投诉安装漏水",
    )
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:technician", args=["J-HZ"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "变频空调原理" in body
    assert "变频空调诊断考试" in body and "55.00" in body
    assert "分体式空调安装" in body
    assert "客户投诉安装漏水" in body
    profile = response.context["profile"]
    assert [e.reason_text for e in profile.suspensions] == ["客户投诉安装漏水"]
    assert profile.dispatch_today and not profile.eligible_today


def test_dispatch_today_asks_the_eligibility_service(network):
    """J-SH holds install L1 (no licence needed) and inverter L2: both may go today; once the
    install certification is suspended, only the inverter."""
    profile = technician_profile(staff=network["sh_tech"])
    assert {r.check.skill_code for r in profile.eligible_today} == {
        "AC-SPLIT-INSTALL",
        "AC-INVERTER-DIAG",
    }
    certification_suspend(
        certification=network["certs"]["sh_install"], user=None, reason_code="audit"
    )
    profile = technician_profile(staff=network["sh_tech"])
    refused = {r.check.skill_code: r for r in profile.dispatch_today if not r.eligible}
    assert set(refused) == {"AC-SPLIT-INSTALL"}
    assert refused["AC-SPLIT-INSTALL"].reasons[0].code == "CERT_SUSPENDED"


def test_coverage_counts_who_may_work_today_and_in_30_60_90_days(network):
    coverage = coverage_for(user=network["east_manager"].user, filters=CoverageFilters())
    rows = {(r.group.code, r.skill.code): r for r in coverage.rows}
    # 上海: install valid 400 days; inverter L2 expires in 20 days.
    assert rows[("SH-01", "AC-SPLIT-INSTALL")].eligible == [1, 1, 1, 1]
    assert rows[("SH-01", "AC-INVERTER-DIAG")].eligible == [1, 0, 0, 0]
    # 杭州: install expires in 45 days; inverter suspended (held, never eligible).
    assert rows[("HZ-01", "AC-SPLIT-INSTALL")].eligible == [1, 1, 0, 0]
    assert rows[("HZ-01", "AC-INVERTER-DIAG")].eligible == [0, 0, 0, 0]
    assert rows[("HZ-01", "AC-INVERTER-DIAG")].holders == 1
    assert not any(code == "GZ-01" for code, _skill in rows)


def test_coverage_needs_the_licences_the_skill_requires(network):
    """Adding a licence requirement makes the holders without it ineligible: the eligibility
    service decides, not the dashboard."""
    from certification.models import LicenceType

    network["skills"]["install"].required_licence_types.set(
        LicenceType.objects.filter(code="refrigeration")
    )
    coverage = coverage_for(
        user=network["east_manager"].user, filters=CoverageFilters(group_by="region")
    )
    row = next(r for r in coverage.rows if r.skill.code == "AC-SPLIT-INSTALL")
    # Only J-SH holds the refrigeration licence, and it expires in 25 days.
    assert row.holders == 2
    assert row.eligible == [1, 0, 0, 0]


def test_lapses_list_expiring_certifications_and_licences_of_the_scope(network):
    items = lapses_for(user=network["east_manager"].user, days=60)
    found = {(i.kind, i.staff.employee_no, i.what.split("（")[0]) for i in items}
    assert ("certification", "J-SH", "变频空调故障诊断") in found
    assert ("certification", "J-HZ", "分体式空调安装") in found
    assert any(kind == "licence" and no == "J-SH" for kind, no, _w in found)
    assert not any(no == "J-GZ" for _k, no, _w in found)
    assert [i.date for i in items] == sorted(i.date for i in items)
    assert not any(i.item_id == network["certs"]["hz_inverter"].pk for i in items)


def test_licence_due_for_review_lapses_on_its_review_date(network):
    today = timezone.localdate()
    licence = make_licence(
        network["hz_tech"].user,
        "height",
        issued_on=today - 1000 * DAY,
        expires_on=today + 900 * DAY,
        next_review_on=today + 12 * DAY,
    )
    items = lapses_for(user=network["east_manager"].user, days=30)
    items = [i for i in items if i.kind == "licence"]
    review = next(i for i in items if i.item_id == licence.pk)
    assert review.date == today + 12 * DAY


def test_reminder_is_sent_once_per_item_per_day(client, network):
    cert = network["certs"]["sh_inverter"]
    login(client, network["east_manager"])
    url = reverse("dashboards:lapse_remind")
    first = client.post(url, {"kind": "certification", "item": cert.pk}, follow=True)
    second = client.post(url, {"kind": "certification", "item": cert.pk}, follow=True)
    assert first.status_code == second.status_code == 200
    notes = Notification.objects.filter(user=network["sh_tech"].user)
    assert notes.count() == 1
    assert "变频空调故障诊断" in notes.get().title
    assert "已提醒" in second.content.decode() or "Already" in second.content.decode()
    item = next(i for i in lapses_for(user=network["east_manager"].user) if i.item_id == cert.pk)
    assert item.reminded_today
    tomorrow = timezone.localdate() + DAY
    assert lapse_reminder_send(
        user=network["east_manager"].user, kind="certification", item_id=cert.pk, today=tomorrow
    )
    assert notes.count() == 2


def test_licence_reminder_names_the_licence(network):
    assert lapse_reminder_send(
        user=network["east_manager"].user, kind="licence", item_id=network["licence"].pk
    )
    note = Notification.objects.get(user=network["sh_tech"].user)
    assert "制冷与空调作业" in note.title


@pytest.mark.parametrize("item", ["", "abc"])
def test_malformed_reminder_requests_answer_404(client, network, item):
    login(client, network["east_manager"])
    response = client.post(reverse("dashboards:lapse_remind"), {"kind": "licence", "item": item})
    assert response.status_code == 404


def test_reminder_redirect_never_leaves_the_lapses_page(client, network):
    login(client, network["east_manager"])
    response = client.post(
        reverse("dashboards:lapse_remind"),
        {
            "kind": "certification",
            "item": network["certs"]["sh_inverter"].pk,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("dashboards:lapses")


def test_overview_counts_certifications_expiring_within_30_days_in_scope(client, network):
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:index"))
    # J-SH's inverter certification (20 days); J-GZ's (10 days) is another region's.
    assert response.context["lapsing_30"] == 1


def test_lapses_page_lists_the_soonest_and_says_how_many_more_there_are(
    client, network, monkeypatch
):
    from certification.dashboards import views

    monkeypatch.setattr(views, "LAPSES_SHOWN", 1)
    login(client, network["east_manager"])
    response = client.get(reverse("dashboards:lapses"), {"days": 90})
    assert len(response.context["items"]) == 1
    assert response.context["total"] == 3
    assert response.context["items"][0].item_id == network["certs"]["sh_inverter"].pk
