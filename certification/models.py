"""The skills catalogue, certification programmes, the certification ledger and outside licences.

The ledger is append-only in spirit: a ``Certification`` records what was issued, to whom, on
which evidence and under which programme version, and is never rewritten. What happens to it
afterwards (suspension, reinstatement, revocation, expiry, renewal) is a ``CertificationEvent``
plus a change of ``status``."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel


class Level(models.IntegerChoices):
    BASIC = 1, _("Basic")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")


class LicenceType(models.Model):
    """A kind of outside licence the state issues (特种作业操作证: 高处作业, 制冷与空调作业...).

    Special-operation certificates are valid six years and must be reviewed every three; an
    unreviewed certificate is void."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    validity_years = models.PositiveSmallIntegerField(_("valid for (years)"), default=6)
    review_every_years = models.PositiveSmallIntegerField(_("review every (years)"), default=3)

    class Meta:
        ordering = ["code"]
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")

    def __str__(self):
        return self.name


class Skill(models.Model):
    """A kind of job dispatch can send a technician on (e.g. ``AC-SPLIT-INSTALL``)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    product_line = models.ForeignKey(
        "portal.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="skills",
    )
    max_level = models.PositiveSmallIntegerField(
        _("highest level"), choices=Level.choices, default=Level.BASIC
    )
    required_licence_types = models.ManyToManyField(
        LicenceType, verbose_name=_("required licences"), blank=True, related_name="skills"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Programme(ClusterableModel):
    """What it takes to be certified for a skill at a level, in one version.

    A certification remembers the programme version it was issued under, so changing the
    requirements later never rewrites what someone earned: publish a new version instead."""

    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="programmes"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.BASIC)
    version = models.PositiveIntegerField(_("version"), default=1)
    required_courses = models.ManyToManyField(
        "courses.CoursePage", verbose_name=_("required courses"), blank=True, related_name="+"
    )
    requires_signoff = models.BooleanField(
        _("requires a practical sign-off"),
        default=False,
        help_text=_("Programmes needing a sign-off are never issued automatically."),
    )
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=24)
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal opens (days before expiry)"), default=60
    )
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    panels = [
        FieldPanel("skill"),
        FieldPanel("level"),
        FieldPanel("version"),
        FieldPanel("active"),
        FieldPanel("required_courses"),
        InlinePanel("quizzes", label=_("required quizzes")),
        FieldPanel("requires_signoff"),
        FieldPanel("validity_months"),
        FieldPanel("renewal_window_days"),
        FieldPanel("grace_days"),
    ]

    class Meta:
        ordering = ["skill__code", "level", "-version"]
        verbose_name = _("certification programme")
        verbose_name_plural = _("certification programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "level", "version"], name="one_programme_per_version"
            )
        ]

    def __str__(self):
        return f"{self.skill.name} · {self.get_level_display()} · v{self.version}"


class ProgrammeQuiz(models.Model):
    """A quiz a programme requires: passed with at least ``min_score`` within ``within_months``."""

    programme = ParentalKey(Programme, on_delete=models.CASCADE, related_name="quizzes")
    quiz = models.ForeignKey(
        "courses.Quiz", verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="+"
    )
    min_score = models.DecimalField(
        _("minimum score (%)"),
        max_digits=5,
        decimal_places=2,
        default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    within_months = models.PositiveSmallIntegerField(
        _("passed within (months)"), default=12, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("required quiz")
        verbose_name_plural = _("required quizzes")
        constraints = [
            models.UniqueConstraint(fields=["programme", "quiz"], name="one_quiz_per_programme")
        ]

    def __str__(self):
        return f"{self.quiz} ≥ {self.min_score}"


def new_verification_code() -> str:
    return secrets.token_urlsafe(16)


class CertificationStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("certification", "Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


class Certification(models.Model):
    """One issue of a certification: its own record, never overwritten by a renewal.

    ``evidence_digest`` fingerprints the evidence; one programme never issues twice to one
    person on the same evidence, which is what makes evaluation idempotent under races."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="certifications"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    programme_version = models.PositiveIntegerField(_("programme version"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    valid_from = models.DateTimeField(_("valid from"))
    expires_at = models.DateTimeField(_("expires at"))
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CertificationStatus.choices,
        default=CertificationStatus.ACTIVE,
    )
    evidence = models.JSONField(_("evidence"), default=dict)
    evidence_digest = models.CharField(max_length=64, editable=False)
    verification_code = models.CharField(
        _("verification code"),
        max_length=32,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        indexes = [models.Index(fields=["user", "skill", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme", "evidence_digest"],
                name="one_certification_per_evidence",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.skill.code} L{self.level} · {self.issued_at:%Y-%m-%d}"

    @property
    def grace_ends_at(self):
        return self.expires_at + dt.timedelta(days=self.grace_days)


class CertificationEvent(models.Model):
    """Something that happened to a certification, with who did it, when and why."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        RENEWED = "renewed", _("Renewed")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")

    class Reason(models.TextChoices):
        COMPLAINT = "complaint", _("Customer complaint")
        SAFETY_INCIDENT = "safety_incident", _("Safety incident")
        REPEAT_REPAIR = "repeat_repair", _("Repeat repair")
        AUDIT = "audit", _("Audit finding")
        CORRECTIVE_TRAINING_PASSED = "corrective_training_passed", _("Corrective training passed")
        OTHER = "other", _("Other")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason_code = models.CharField(_("reason"), max_length=30, choices=Reason.choices, blank=True)
    reason_text = models.TextField(_("details"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("certification event")
        verbose_name_plural = _("certification events")

    def __str__(self):
        parts = [f"{timezone.localtime(self.at):%Y-%m-%d %H:%M}", str(self.get_kind_display())]
        if self.actor_id:
            parts.append(str(self.actor))
        if self.reason_code:
            parts.append(str(self.get_reason_code_display()))
        if self.reason_text:
            parts.append(self.reason_text)
        return " · ".join(parts)


class Licence(models.Model):
    """An outside licence a person holds. It counts only once a manager has verified it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="licences",
    )
    licence_type = models.ForeignKey(
        LicenceType, verbose_name=_("licence type"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("licence number"), max_length=50)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    next_review_on = models.DateField(_("next review due"), null=True, blank=True)
    scan = models.FileField(_("scan"), upload_to="licences/%Y/%m/", blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ["user", "licence_type", "-expires_on"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(
                fields=["licence_type", "number"], name="one_licence_per_number"
            )
        ]

    def __str__(self):
        return f"{self.licence_type} · {self.number}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


# The dashboards keep their model in their own package (certification/dashboards/).
from .dashboards.models import ExportJob  # noqa: E402, F401
