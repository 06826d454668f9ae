"""Suspension with corrective training: a manager suspends (one skill or all) with a reason and
a corrective path, the path is assigned, completing it moves the suspension to "awaiting
approval" and tells the managers once, the manager approves (reinstated) or revokes (final);
all within the manager's scope, in services and in the portal pages."""

import pytest

from certification.corrective import (
    path_progress_for,
    suspension_approve_reinstatement,
    suspension_open,
    suspension_revoke,
    suspensions_training_check,
)
from certification.eligibility import eligibility_check
from certification.exceptions import (
    CertificationPermissionDenied,
    ReasonRequired,
    SuspensionRefused,
)
from certification.models import CertificationEvent, CertificationStatus, Suspension
from courses.models import PathAssignment
from courses.selectors import course_lessons
from courses.services import lesson_complete
from portal.models import Notification
from tests.factories import make_certification, make_course, make_path, make_programme, make_skill

from .conftest import NOW

MANAGE = "/certification/manage/"


@pytest.fixture
def corrective_path(db):
    course = make_course("安装规范整改培训", lessons=2)
    return make_path("安装质量整改路径", [course])


def _complete(user, path, capture):
    with capture(execute=True):
        for item in path.items.all():
            for lesson in course_lessons(course=item.course):
                lesson_complete(user=user, lesson=lesson)


def _eligible(employee_no="J-SH"):
    return eligibility_check(employee_no=employee_no, skill_code="AC-SPLIT-INSTALL")


def test_suspending_with_a_path_assigns_it_and_makes_the_technician_ineligible(
    certified, corrective_path, django_capture_on_commit_callbacks
):
    tech, manager = certified["tech"].user, certified["east_manager"].user
    assert _eligible().eligible
    with django_capture_on_commit_callbacks(execute=True):
        suspension = suspension_open(
            person=tech,
            user=manager,
            skill=certified["cert"].skill,
            reason_code="complaint",
            reason_text="客户投诉室外机固定不牢",
            corrective_path=corrective_path,
        )
    assert suspension.status == Suspension.Status.TRAINING
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.SUSPENDED
    assert list(suspension.certifications.all()) == [certified["cert"]]
    assert PathAssignment.objects.filter(path=corrective_path, user=tech).exists()
    result = _eligible()
    assert not result.eligible
    assert [r.code for r in result.reasons] == ["CERT_SUSPENDED"]
    assert Notification.objects.filter(user=tech, key=f"suspension-opened:{suspension.pk}").exists()


def test_without_a_choice_the_programme_default_path_is_assigned(
    certified, programme, corrective_path
):
    programme.corrective_path = corrective_path
    programme.save()
    suspension = suspension_open(
        person=certified["tech"].user,
        user=certified["east_manager"].user,
        reason_code="audit",
    )
    assert suspension.corrective_path == corrective_path
    assert suspension.skill is None


def test_without_any_path_the_suspension_awaits_approval_at_once(certified):
    suspension = suspension_open(
        person=certified["tech"].user, user=certified["east_manager"].user, reason_code="audit"
    )
    assert suspension.status == Suspension.Status.AWAITING_APPROVAL
    suspension_approve_reinstatement(suspension=suspension, user=certified["east_manager"].user)
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.ACTIVE
    assert certified["cert"].events.last().reason_code == "audit"


def test_all_skills_suspends_every_active_certification(certified, corrective_path):
    other = make_programme(make_skill("AC-INVERTER-DIAG", name="变频空调故障诊断"), level=1)
    second = make_certification(certified["tech"].user, other, issued_at=NOW)
    suspension = suspension_open(
        person=certified["tech"].user,
        user=certified["east_manager"].user,
        reason_code="safety_incident",
        corrective_path=corrective_path,
    )
    assert set(suspension.certifications.all()) == {certified["cert"], second}
    assert set(suspension.certifications.values_list("status", flat=True)) == {
        CertificationStatus.SUSPENDED
    }


def test_completing_the_path_awaits_approval_and_tells_managers_once(
    certified, corrective_path, django_capture_on_commit_callbacks
):
    tech, manager = certified["tech"].user, certified["east_manager"].user
    suspension = suspension_open(
        person=tech, user=manager, reason_code="repeat_repair", corrective_path=corrective_path
    )
    with pytest.raises(SuspensionRefused):
        suspension_approve_reinstatement(suspension=suspension, user=manager)
    _complete(tech, corrective_path, django_capture_on_commit_callbacks)
    suspension.refresh_from_db()
    assert suspension.status == Suspension.Status.AWAITING_APPROVAL
    assert suspension.training_completed_at is not None
    key = f"suspension-awaiting:{suspension.pk}"
    assert Notification.objects.filter(user=manager, key=key).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert suspensions_training_check(user=tech) == []
        assert suspensions_training_check() == []
    assert Notification.objects.filter(key=key).count() == 1
    assert not _eligible().eligible  # still suspended until the manager approves

    suspension_approve_reinstatement(suspension=suspension, user=manager, note="整改合格")
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.ACTIVE
    event = certified["cert"].events.last()
    assert event.kind == CertificationEvent.Kind.REINSTATED
    assert event.reason_code == CertificationEvent.Reason.CORRECTIVE_TRAINING_PASSED
    assert event.actor == manager
    assert _eligible().eligible
    with pytest.raises(SuspensionRefused):
        suspension_approve_reinstatement(suspension=suspension, user=manager)


def test_a_path_already_completed_cannot_be_the_corrective_path(
    certified, corrective_path, django_capture_on_commit_callbacks
):
    tech = certified["tech"].user
    PathAssignment.objects.create(path=corrective_path, user=tech)
    _complete(tech, corrective_path, django_capture_on_commit_callbacks)
    assert path_progress_for(user=tech, path=corrective_path).complete
    with pytest.raises(SuspensionRefused) as refused:
        suspension_open(
            person=tech,
            user=certified["east_manager"].user,
            reason_code="complaint",
            corrective_path=corrective_path,
        )
    assert "安装质量整改路径" in refused.value.message
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.ACTIVE


def test_revocation_needs_a_reason_and_is_final(certified, corrective_path):
    manager = certified["east_manager"].user
    suspension = suspension_open(
        person=certified["tech"].user,
        user=manager,
        reason_code="safety_incident",
        corrective_path=corrective_path,
    )
    with pytest.raises(ReasonRequired):
        suspension_revoke(
            suspension=suspension, user=manager, reason_code="safety_incident", reason_text=" "
        )
    suspension_revoke(
        suspension=suspension,
        user=manager,
        reason_code="safety_incident",
        reason_text="高空坠物事故",
    )
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.REVOKED
    assert [r.code for r in _eligible().reasons] == ["CERT_REVOKED"]
    with pytest.raises(SuspensionRefused):
        suspension_approve_reinstatement(suspension=suspension, user=manager)
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.REVOKED
    assert suspension.status == Suspension.Status.REVOKED


def test_managers_outside_the_scope_may_not_suspend_nor_approve(certified, corrective_path):
    south = certified["south_manager"].user
    with pytest.raises(CertificationPermissionDenied):
        suspension_open(person=certified["tech"].user, user=south, reason_code="complaint")
    suspension = suspension_open(
        person=certified["tech"].user, user=certified["east_manager"].user, reason_code="audit"
    )
    with pytest.raises(CertificationPermissionDenied):
        suspension_approve_reinstatement(suspension=suspension, user=south)


def test_a_reason_code_from_the_list_is_required(certified):
    with pytest.raises(ReasonRequired):
        suspension_open(
            person=certified["tech"].user, user=certified["east_manager"].user, reason_code="bored"
        )
    with pytest.raises(ReasonRequired):
        suspension_open(
            person=certified["tech"].user, user=certified["east_manager"].user, reason_code="other"
        )


def test_nothing_active_nothing_to_suspend(certified):
    certified["cert"].__class__.objects.filter(pk=certified["cert"].pk).update(
        status=CertificationStatus.EXPIRED
    )
    with pytest.raises(SuspensionRefused):
        suspension_open(
            person=certified["tech"].user, user=certified["east_manager"].user, reason_code="audit"
        )


# --- the portal pages ---------------------------------------------------------------------


def test_the_manager_suspends_approves_and_revokes_in_the_portal(
    client, certified, corrective_path, django_capture_on_commit_callbacks
):
    tech = certified["tech"]
    client.force_login(certified["east_manager"].user)
    page = client.get(MANAGE).content.decode()
    assert "J-SH" in page and "J-GZ" not in page
    form = client.get(f"{MANAGE}staff/{tech.pk}/suspend/").content.decode()
    assert "安装质量整改路径" in form
    response = client.post(
        f"{MANAGE}staff/{tech.pk}/suspend/",
        {
            "skill": str(certified["cert"].skill_id),
            "reason_code": "complaint",
            "reason_text": "客户投诉漏水",
            "corrective_path": corrective_path.pk,
        },
    )
    assert response.status_code == 302
    suspension = Suspension.objects.get()
    assert suspension.reason_text == "客户投诉漏水"
    page = client.get(MANAGE).content.decode()
    assert 'data-testid="approve"' not in page
    assert "安装质量整改路径" in page

    _complete(tech.user, corrective_path, django_capture_on_commit_callbacks)
    page = client.get(MANAGE).content.decode()
    assert 'data-testid="approve"' in page
    assert client.post(f"{MANAGE}{suspension.pk}/approve/").status_code == 302
    suspension.refresh_from_db()
    assert suspension.status == Suspension.Status.REINSTATED

    client.post(
        f"{MANAGE}staff/{tech.pk}/suspend/",
        {"skill": "all", "reason_code": "audit", "reason_text": ""},
    )
    second = Suspension.objects.exclude(pk=suspension.pk).get()
    refused = client.post(f"{MANAGE}{second.pk}/revoke/", {"reason_code": "audit"})
    assert refused.status_code == 200
    second.refresh_from_db()
    assert second.is_open
    client.post(
        f"{MANAGE}{second.pk}/revoke/", {"reason_code": "audit", "reason_text": "伪造维修记录"}
    )
    second.refresh_from_db()
    assert second.status == Suspension.Status.REVOKED


def test_other_managers_get_404_and_technicians_403(client, certified):
    suspension = suspension_open(
        person=certified["tech"].user, user=certified["east_manager"].user, reason_code="audit"
    )
    client.force_login(certified["south_manager"].user)
    assert client.get(f"{MANAGE}staff/{certified['tech'].pk}/suspend/").status_code == 404
    assert client.post(f"{MANAGE}{suspension.pk}/approve/").status_code == 404
    assert client.get(f"{MANAGE}{suspension.pk}/revoke/").status_code == 404
    assert "J-SH" not in client.get(MANAGE).content.decode()
    client.force_login(certified["gz_tech"].user)
    assert client.get(MANAGE).status_code == 403


def test_a_refused_suspension_shows_the_reason_on_the_form(
    client, certified, corrective_path, django_capture_on_commit_callbacks
):
    tech = certified["tech"]
    PathAssignment.objects.create(path=corrective_path, user=tech.user)
    _complete(tech.user, corrective_path, django_capture_on_commit_callbacks)
    client.force_login(certified["east_manager"].user)
    response = client.post(
        f"{MANAGE}staff/{tech.pk}/suspend/",
        {"skill": "all", "reason_code": "complaint", "corrective_path": corrective_path.pk},
    )
    assert response.status_code == 200
    assert "安装质量整改路径" in response.content.decode()
    assert not Suspension.objects.exists()


def test_progress_of_the_corrective_path_is_shown(
    client, certified, django_capture_on_commit_callbacks
):
    first, second = make_course("整改一", lessons=1), make_course("整改二", lessons=1)
    path = make_path("两门整改课", [first, second])
    suspension_open(
        person=certified["tech"].user,
        user=certified["east_manager"].user,
        reason_code="complaint",
        corrective_path=path,
    )
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=certified["tech"].user, lesson=course_lessons(course=first)[0])
    client.force_login(certified["east_manager"].user)
    assert 'aria-valuenow="50"' in client.get(MANAGE).content.decode()
