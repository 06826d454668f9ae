"""Writes of certification: evaluating programmes (issue and renewal), the status changes of
the ledger, licence verification and the nightly expiry.

Every write is idempotent: evaluating again on the same evidence issues nothing, and expiring
twice expires nothing twice."""

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.models import AttemptStatus, Enrolment, QuizAttempt
from portal.services import UpsertResult

from .actions import (
    ReinstateCertificationAction,
    RevokeCertificationAction,
    SuspendCertificationAction,
)
from .actions.base import user_may_manage
from .certificates import certificate_document_enqueue
from .exceptions import CertificationActionRefused, CertificationPermissionDenied
from .models import (
    Certification,
    CertificationEvent,
    CertificationStatus,
    Licence,
    Programme,
    Skill,
)

logger = logging.getLogger(__name__)

# Statuses that block automatic issue: a suspension is lifted by a manager, a revocation is final.
_BLOCKING = (CertificationStatus.SUSPENDED, CertificationStatus.REVOKED)


def _evidence_digest(evidence: dict) -> str:
    return hashlib.sha256(json.dumps(evidence, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement of a programme and whether the person meets it at a moment.

    ``kind`` is ``quiz``, ``course`` or ``signoff``; ``evidence`` is what meets it (the attempt
    or the completed course), ``None`` while unmet."""

    kind: str
    object_id: int | None
    title: str
    met: bool
    evidence: dict | None = None
    min_score: Decimal | None = None
    within_months: int | None = None


def programme_requirements(
    *, user: User, programme: Programme, now: dt.datetime, since: dt.datetime | None = None
) -> list[RequirementStatus]:
    """Each requirement of ``programme`` and whether ``user`` meets it at ``now``. Quizzes count
    the latest graded attempt that reached the minimum score within the programme's months
    (and after ``since``, for renewals); courses count when completed; a practical sign-off
    counts the latest passing one an assessor recorded within its months."""
    statuses = []
    for requirement in programme.quizzes.select_related("quiz"):
        cutoff = now - relativedelta(months=requirement.within_months)
        if since is not None:
            cutoff = max(cutoff, since)
        attempt = (
            QuizAttempt.objects.filter(
                user=user,
                quiz_id=requirement.quiz_id,
                graded_at__isnull=False,
                graded_at__gte=cutoff,
                graded_at__lte=now,
                score__gte=requirement.min_score,
            )
            .exclude(status=AttemptStatus.IN_PROGRESS)
            .order_by("-graded_at", "-pk")
            .first()
        )
        statuses.append(
            RequirementStatus(
                kind="quiz",
                object_id=requirement.quiz_id,
                title=requirement.quiz.title,
                met=attempt is not None,
                evidence=None
                if attempt is None
                else {"id": attempt.pk, "quiz": requirement.quiz_id, "score": str(attempt.score)},
                min_score=requirement.min_score,
                within_months=requirement.within_months,
            )
        )
    required = {c.pk: c for c in programme.required_courses.all()}
    completed = {}
    if required:
        completed = dict(
            Enrolment.objects.filter(
                user=user, course_id__in=list(required), completed_at__isnull=False
            ).values_list("course_id", "completed_revision_id")
        )
    for pk in sorted(required):
        statuses.append(
            RequirementStatus(
                kind="course",
                object_id=pk,
                title=required[pk].title,
                met=pk in completed,
                evidence={"id": pk, "revision": completed[pk]} if pk in completed else None,
            )
        )
    if programme.requires_signoff:
        signoff = _latest_passing_signoff(user=user, programme=programme, now=now, since=since)
        statuses.append(
            RequirementStatus(
                kind="signoff",
                object_id=None if signoff is None else signoff.pk,
                title="",
                met=signoff is not None,
                evidence=None
                if signoff is None
                else {
                    "id": signoff.pk,
                    "assessor": signoff.assessor_id,
                    "at": signoff.assessed_at.isoformat(),
                },
                within_months=programme.signoff_within_months,
            )
        )
    return statuses


def _latest_passing_signoff(*, user: User, programme: Programme, now, since):
    from .models import PracticalSignoff

    cutoff = now - relativedelta(months=programme.signoff_within_months)
    if since is not None:
        cutoff = max(cutoff, since)
    return (
        PracticalSignoff.objects.filter(
            user=user,
            programme=programme,
            result=PracticalSignoff.Result.PASSED,
            assessed_at__gte=cutoff,
            assessed_at__lte=now,
        )
        .order_by("-assessed_at", "-pk")
        .first()
    )


def programme_evidence(
    *, user: User, programme: Programme, now: dt.datetime, since: dt.datetime | None = None
) -> dict | None:
    """The evidence that ``user`` meets ``programme`` at ``now``, or ``None`` when a requirement
    is missing (see ``programme_requirements``). A programme without any requirement certifies
    nobody automatically."""
    statuses = programme_requirements(user=user, programme=programme, now=now, since=since)
    if not statuses or not all(s.met for s in statuses):
        return None
    evidence = {
        "attempts": sorted(
            (s.evidence for s in statuses if s.kind == "quiz"), key=lambda a: a["quiz"]
        ),
        "courses": [s.evidence for s in statuses if s.kind == "course"],
    }
    signoff = next((s.evidence for s in statuses if s.kind == "signoff"), None)
    if signoff is not None:
        evidence["signoff"] = signoff
    return evidence


def programme_evaluate(
    *, user: User, programme: Programme, now: dt.datetime | None = None
) -> Certification | None:
    """Issues a certification when every requirement of ``programme`` holds; returns it, or
    ``None`` when nothing was issued.

    Never issues twice on the same evidence. While the person holds a current certification
    for the skill at this level or higher, nothing is issued, except inside its renewal window
    on evidence gathered since the window opened: then a new record is issued and the old one
    is superseded. A suspended or revoked certification for the skill blocks automatic issue."""
    now = now or timezone.now()
    if not programme.active:
        return None
    with transaction.atomic():
        # Serialises evaluations for one person (two signals arriving together).
        User.objects.select_for_update().filter(pk=user.pk).first()
        held = list(
            Certification.objects.select_for_update()
            .filter(user=user, skill_id=programme.skill_id)
            .exclude(status__in=[CertificationStatus.SUPERSEDED, CertificationStatus.EXPIRED])
        )
        if any(c.status in _BLOCKING for c in held):
            return None
        current = [c for c in held if c.grace_ends_at > now]
        covering = [c for c in current if c.level >= programme.level]
        renewing = None
        since = None
        if covering:
            renewing = max(covering, key=lambda c: c.expires_at)
            window_opens = renewing.expires_at - dt.timedelta(
                days=renewing.programme.renewal_window_days
            )
            if renewing.level > programme.level or now < window_opens:
                return None
            since = window_opens
        evidence = programme_evidence(user=user, programme=programme, now=now, since=since)
        if evidence is None:
            return None
        start = now
        if renewing is not None:
            start = max(now, renewing.expires_at)
        certification = Certification(
            user=user,
            skill_id=programme.skill_id,
            level=programme.level,
            programme=programme,
            programme_version=programme.version,
            issued_at=now,
            valid_from=now,
            expires_at=start + relativedelta(months=programme.validity_months),
            grace_days=programme.grace_days,
            evidence=evidence,
            evidence_digest=_evidence_digest(evidence),
        )
        try:
            with transaction.atomic():
                certification.save()
        except IntegrityError:
            return None  # issued on this evidence already
        CertificationEvent.objects.create(
            certification=certification,
            kind=CertificationEvent.Kind.RENEWED if renewing else CertificationEvent.Kind.ISSUED,
            at=now,
        )
        certificate_document_enqueue(certification=certification)
        # Whatever this issue replaces (the renewed record, a lower level) is superseded.
        for old in current:
            if old.level <= programme.level and old.status == CertificationStatus.ACTIVE:
                certification_supersede(old=old, new=certification, now=now)
    logger.info(
        "certification %s: user=%s skill=%s level=%s",
        "renewed" if renewing else "issued",
        user.pk,
        programme.skill_id,
        programme.level,
    )
    return certification


def certification_supersede(
    *, old: Certification, new: Certification, now: dt.datetime | None = None
) -> None:
    """Marks ``old`` superseded by ``new`` (a renewal or a higher level), with an event."""
    now = now or timezone.now()
    moved = (
        Certification.objects.filter(pk=old.pk)
        .exclude(status=CertificationStatus.SUPERSEDED)
        .update(status=CertificationStatus.SUPERSEDED, superseded_by=new)
    )
    if moved:
        CertificationEvent.objects.create(
            certification=old, kind=CertificationEvent.Kind.SUPERSEDED, at=now
        )


def programmes_evaluate_for(
    *, user: User, quiz_id: int | None = None, course_id: int | None = None
) -> list[Certification]:
    """Evaluates every active programme that involves the quiz or the course for the person;
    returns what was issued."""
    programmes = Programme.objects.filter(active=True).select_related("skill")
    if quiz_id is not None:
        programmes = programmes.filter(quizzes__quiz_id=quiz_id)
    if course_id is not None:
        programmes = programmes.filter(required_courses__pk=course_id)
    issued = []
    for programme in programmes.distinct().order_by("level", "-version"):
        certification = programme_evaluate(user=user, programme=programme)
        if certification is not None:
            issued.append(certification)
    return issued


def certification_record(
    *,
    user: User,
    programme: Programme,
    issued_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    evidence: dict,
    actor: User | None = None,
    reason_text: str = "",
) -> Certification:
    """Records a certification earned outside the portal (imports, demo history) as it was
    issued, with ``evidence`` saying where it comes from. Idempotent on that evidence."""
    digest = _evidence_digest(evidence)
    existing = Certification.objects.filter(
        user=user, programme=programme, evidence_digest=digest
    ).first()
    if existing is not None:
        return existing
    expires_at = expires_at or issued_at + relativedelta(months=programme.validity_months)
    with transaction.atomic():
        certification = Certification.objects.create(
            user=user,
            skill_id=programme.skill_id,
            level=programme.level,
            programme=programme,
            programme_version=programme.version,
            issued_at=issued_at,
            valid_from=issued_at,
            expires_at=expires_at,
            grace_days=programme.grace_days,
            evidence=evidence,
            evidence_digest=digest,
        )
        CertificationEvent.objects.create(
            certification=certification,
            kind=CertificationEvent.Kind.ISSUED,
            actor=actor,
            at=issued_at,
            reason_text=reason_text,
        )
        certificate_document_enqueue(certification=certification)
    return certification


def certification_suspend(
    *, certification: Certification, user: User | None, reason_code: str, reason_text: str = ""
) -> CertificationEvent:
    return SuspendCertificationAction(
        certification, user=user, reason_code=reason_code, reason_text=reason_text
    ).execute()


def certification_reinstate(
    *, certification: Certification, user: User | None, reason_code: str, reason_text: str = ""
) -> CertificationEvent:
    return ReinstateCertificationAction(
        certification, user=user, reason_code=reason_code, reason_text=reason_text
    ).execute()


def certification_revoke(
    *, certification: Certification, user: User | None, reason_code: str, reason_text: str = ""
) -> CertificationEvent:
    return RevokeCertificationAction(
        certification, user=user, reason_code=reason_code, reason_text=reason_text
    ).execute()


def certifications_suspend_all(
    *, person: User, user: User | None, reason_code: str, reason_text: str = ""
) -> list[CertificationEvent]:
    """Suspends every active certification of a person (suspension "for all skills")."""
    return [
        certification_suspend(
            certification=c, user=user, reason_code=reason_code, reason_text=reason_text
        )
        for c in Certification.objects.filter(user=person, status=CertificationStatus.ACTIVE)
    ]


def certification_expire_due(*, now: dt.datetime | None = None) -> int:
    """Marks expired every active certification whose validity and grace have run out, with an
    ``expired`` event; returns how many. Running it again expires nothing twice."""
    return len(certifications_expire_due(now=now))


def certifications_expire_due(*, now: dt.datetime | None = None) -> list[int]:
    """As ``certification_expire_due``, returning the ids of the certifications this run
    expired (for the nightly report and its webhooks)."""
    now = now or timezone.now()
    expired = []
    candidates = Certification.objects.filter(
        status=CertificationStatus.ACTIVE, expires_at__lte=now
    ).only("pk", "expires_at", "grace_days")
    for certification in candidates:
        if certification.grace_ends_at > now:
            continue
        with transaction.atomic():
            moved = Certification.objects.filter(
                pk=certification.pk, status=CertificationStatus.ACTIVE
            ).update(status=CertificationStatus.EXPIRED)
            if moved:
                CertificationEvent.objects.create(
                    certification_id=certification.pk, kind=CertificationEvent.Kind.EXPIRED, at=now
                )
                expired.append(certification.pk)
    return expired


def licence_verify(*, licence: Licence, user: User, now: dt.datetime | None = None) -> Licence:
    """Marks the licence verified by ``user`` (an administrator, or a manager whose scope holds
    the licence's owner). Verifying again keeps the first verification."""
    if not user_may_manage(user=user, person=licence.user):
        raise CertificationPermissionDenied()
    if licence.verified_at is None:
        Licence.objects.filter(pk=licence.pk, verified_at__isnull=True).update(
            verified_by=user, verified_at=now or timezone.now()
        )
        licence.refresh_from_db()
    return licence


# --- Adoption imports (skills, certifications earned before the portal, licences) ------------
# Records arrive cleaned by ``certification.records``; each write is idempotent by its natural
# key, so importing the same file (or posting the same record) twice changes nothing.


def skill_upsert(*, data: dict) -> UpsertResult:
    """Creates or updates the skill with ``data['code']`` (a cleaned ``SkillRecordForm``)."""
    skill = Skill.objects.filter(code=data["code"]).first()
    licences = data["required_licences"]
    wanted = {
        "name": data["name"],
        "product_line_id": data["product_line"].pk,
        "max_level": data["max_level"],
    }
    if skill is not None:
        held = sorted(skill.required_licence_types.values_list("pk", flat=True))
        same = all(getattr(skill, k) == v for k, v in wanted.items())
        if same and held == sorted(t.pk for t in licences):
            return UpsertResult("unchanged", skill)
    with transaction.atomic():
        created = skill is None
        skill = skill or Skill(code=data["code"])
        for name, value in wanted.items():
            setattr(skill, name, value)
        skill.save()
        skill.required_licence_types.set(licences)
    return UpsertResult("created" if created else "updated", skill)


def _import_evidence(*, skill, level: int, issued_on: dt.date) -> dict:
    """What an imported certification rests on: the fact of the earlier issue. It is also its
    identity: one person, skill, level and issue date is one certification."""
    return {"imported": {"skill": skill.code, "level": level, "issued_on": issued_on.isoformat()}}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def certification_imported_find(*, user: User, skill, level: int, issued_on: dt.date):
    digest = _evidence_digest(_import_evidence(skill=skill, level=level, issued_on=issued_on))
    return Certification.objects.filter(
        user=user, skill=skill, level=level, evidence_digest=digest
    ).first()


def certification_import_problem(
    *, user: User, skill, level: int, issued_on: dt.date, expires_on: dt.date | None
) -> str | None:
    """Why an earlier certification cannot be imported for ``user``, or ``None``.

    An import never overrides a suspension or a revocation, and never rewrites the ledger: the
    same certification imported again with another expiry date is refused."""
    from django.utils.translation import gettext as _

    existing = certification_imported_find(user=user, skill=skill, level=level, issued_on=issued_on)
    if existing is not None:
        if expires_on is not None and existing.expires_at != _start_of(
            expires_on + dt.timedelta(days=1)
        ):
            return _(
                "This certification is already recorded with the expiry date %(date)s; "
                "the ledger is never rewritten."
            ) % {"date": timezone.localdate(existing.expires_at - dt.timedelta(seconds=1))}
        return None
    if Certification.objects.filter(user=user, skill=skill, status__in=_BLOCKING).exists():
        return _(
            "The person has a suspended or revoked certification for this skill; "
            "an import does not override it."
        )
    return None


def certification_import(*, data: dict, now: dt.datetime | None = None) -> UpsertResult:
    """Records a certification earned before the portal (a cleaned ``CertificationRecordForm``)
    in the ledger, with an ``issued`` event by ``data['actor']`` (``None``: the system).

    It is active unless it has expired (then it is recorded expired, with an ``expired``
    event); of the person's active certifications for the skill, the latest issue at the same
    or a higher level stands and the others are superseded, as a renewal would leave them.
    The programme is the latest for the skill and level, created without requirements when
    the skill has none yet (trainers add requirements later). Idempotent."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    user, skill, level = data["staff"].user, data["skill"], data["level"]
    issued_on = data["issued_on"]
    existing = certification_imported_find(user=user, skill=skill, level=level, issued_on=issued_on)
    if existing is not None:
        return UpsertResult("unchanged", existing)
    problem = certification_import_problem(
        user=user, skill=skill, level=level, issued_on=issued_on, expires_on=data["expires_on"]
    )
    if problem:
        raise CertificationActionRefused(problem)
    with transaction.atomic():
        programme = Programme.objects.filter(skill=skill, level=level).order_by(
            "-active", "-version"
        ).first() or Programme.objects.create(skill=skill, level=level)
        expires_at = None
        if data["expires_on"]:
            expires_at = _start_of(data["expires_on"] + dt.timedelta(days=1))
        certification = certification_record(
            user=user,
            programme=programme,
            issued_at=_start_of(issued_on),
            expires_at=expires_at,
            evidence=_import_evidence(skill=skill, level=level, issued_on=issued_on),
            actor=data.get("actor"),
            reason_text=data.get("note") or _("Imported"),
        )
        if certification.grace_ends_at <= now:
            Certification.objects.filter(pk=certification.pk).update(
                status=CertificationStatus.EXPIRED
            )
            certification.status = CertificationStatus.EXPIRED
            CertificationEvent.objects.create(
                certification=certification,
                kind=CertificationEvent.Kind.EXPIRED,
                at=certification.grace_ends_at,
            )
            return UpsertResult("created", certification)
        active = list(
            Certification.objects.filter(
                user=user, skill=skill, status=CertificationStatus.ACTIVE
            ).exclude(pk=certification.pk)
        )
        later = [c for c in active if c.level >= level and c.issued_at > certification.issued_at]
        if later:
            newest = max(later, key=lambda c: (c.issued_at, c.pk))
            certification_supersede(old=certification, new=newest, now=now)
            certification.refresh_from_db()
        else:
            for old in active:
                if old.level <= level and old.issued_at <= certification.issued_at:
                    certification_supersede(old=old, new=certification, now=now)
    return UpsertResult("created", certification)


def licence_upsert(*, data: dict, now: dt.datetime | None = None) -> UpsertResult:
    """Creates or updates the licence of ``data['licence_type']`` and ``data['number']`` held by
    the person of ``data['employee_no']`` (a cleaned ``LicenceRecordForm``).

    ``verified`` true verifies it in the name of ``data['actor']`` (``None``: the system),
    keeping an earlier verification of the same facts. Changed facts (authority or dates) void
    an earlier verification unless the record vouches for the new ones."""
    from .exceptions import LicenceNumberTaken

    now = now or timezone.now()
    user = data["staff"].user
    facts = {
        "issuing_authority": data.get("authority") or "",
        "issued_on": data["issued_on"],
        "expires_on": data["expires_on"],
        "next_review_on": data.get("next_review_on"),
    }
    verified, actor = bool(data.get("verified")), data.get("actor")
    with transaction.atomic():
        licence = (
            Licence.objects.select_for_update()
            .filter(licence_type=data["licence_type"], number=data["number"])
            .first()
        )
        if licence is not None and licence.user_id != user.pk:
            raise LicenceNumberTaken()
        if licence is None:
            licence = Licence.objects.create(
                user=user,
                licence_type=data["licence_type"],
                number=data["number"],
                verified_by=actor if verified else None,
                verified_at=now if verified else None,
                **facts,
            )
            return UpsertResult("created", licence)
        changed = any(getattr(licence, k) != v for k, v in facts.items())
        if not changed and (licence.is_verified or not verified):
            return UpsertResult("unchanged", licence)
        for name, value in facts.items():
            setattr(licence, name, value)
        if changed or not licence.is_verified:
            licence.verified_by = actor if verified else None
            licence.verified_at = now if verified else None
        licence.save()
    return UpsertResult("updated", licence)
