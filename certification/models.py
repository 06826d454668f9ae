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
        help_text=_("An assessor must record a passing practical sign-off before issue."),
    )
    signoff_checklist = models.TextField(
        _("practical checklist"),
        blank=True,
        help_text=_("One item per line, e.g. 真空度检测, 保压测试, 扩口质量."),
    )
    signoff_within_months = models.PositiveSmallIntegerField(
        _("sign-off counts for (months)"), default=12, validators=[MinValueValidator(1)]
    )
    corrective_path = models.ForeignKey(
        "courses.LearningPath",
        verbose_name=_("default corrective path"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Assigned when a certification is suspended, unless the manager picks another."
        ),
    )
    renewal_path = models.ForeignKey(
        "courses.LearningPath",
        verbose_name=_("renewal path"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Assigned to holders when their renewal window opens."),
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
        FieldPanel("signoff_checklist"),
        FieldPanel("signoff_within_months"),
        FieldPanel("validity_months"),
        FieldPanel("renewal_window_days"),
        FieldPanel("grace_days"),
        FieldPanel("renewal_path"),
        FieldPanel("corrective_path"),
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

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.signoff_checklist.splitlines() if line.strip()]


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
    voided_on = models.DateField(
        _("void since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set by the nightly check when the review is overdue."),
    )

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


# --- Webhooks --------------------------------------------------------------------------------
# Outside systems (dispatch, HR) subscribe to ledger and licence events; the logic lives in
# ``certification/webhooks.py``.


class WebhookEventType(models.TextChoices):
    CERTIFICATION_ISSUED = "certification.issued", _("Certification issued")
    CERTIFICATION_RENEWED = "certification.renewed", _("Certification renewed")
    CERTIFICATION_SUSPENDED = "certification.suspended", _("Certification suspended")
    CERTIFICATION_REINSTATED = "certification.reinstated", _("Certification reinstated")
    CERTIFICATION_REVOKED = "certification.revoked", _("Certification revoked")
    CERTIFICATION_EXPIRED = "certification.expired", _("Certification expired")
    LICENCE_EXPIRED = "licence.expired", _("Licence expired")
    LICENCE_REVIEW_DUE = "licence.review_due", _("Licence review overdue")


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An endpoint that receives the events it subscribes to, signed with its secret.

    The secret is kept as entered (signing needs it) and only ever shown masked."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("endpoint URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, default=new_webhook_secret)
    event_types = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.name

    @property
    def secret_hint(self) -> str:
        """The secret as the admin shows it: never more than its last four characters."""
        return f"••••••{self.secret[-4:]}" if self.secret else "-"

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in (self.event_types or [])


class WebhookEvent(models.Model):
    """One event as published, once: ``key`` is deterministic (the ledger event, or licence +
    event type + date), so publishing the same happening twice records and sends nothing new."""

    uuid = models.UUIDField(_("event id"), unique=True, editable=False)
    key = models.CharField(max_length=200, unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=40, choices=WebhookEventType.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.event_type} · {self.uuid}"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event on its way to one subscription: attempts, the last answer, the next try."""

    uuid = models.UUIDField(_("delivery id"), unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        WebhookEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(_("event"), max_length=40, choices=WebhookEventType.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    replays = models.PositiveSmallIntegerField(_("replays"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(
        _("last response code"), null=True, blank=True
    )
    last_response_body = models.TextField(_("last response (excerpt)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("replay_webhookdelivery", _("Can replay webhook deliveries"))]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="one_delivery_per_event_and_subscription"
            )
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscription} · {self.get_status_display()}"


def _photo_path(instance, filename: str) -> str:
    # A random name: the photo is public on the verification page, the rest of media is not.
    return f"verification/photos/{secrets.token_urlsafe(12)}.jpg"


class VerificationCard(models.Model):
    """A technician's public verification page, reached by an unguessable code (shown as a
    QR): customers and auditors see who the person is and what they may do today.

    Created the first time it is needed (first certificate, or the technician opening their
    certifications); the code never changes, so printed QR codes keep working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="verification_card",
    )
    code = models.CharField(
        _("verification code"),
        max_length=32,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    photo = models.ImageField(
        _("photo"),
        upload_to=_photo_path,
        blank=True,
        help_text=_("Optional. A head-and-shoulders photo shown on the public page."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["user"]
        verbose_name = _("verification page")
        verbose_name_plural = _("verification pages")

    def __str__(self):
        return str(self.user)


def _certificate_path(instance, filename: str) -> str:
    # Never under a guessable name: certificates are downloaded through a view that checks
    # who asks, and media may be served as plain files.
    return f"certificates/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.pdf"


class CertificateDocument(models.Model):
    """The PDF certificate of one certification, generated once at issue and kept unchanged.

    A renewal is a new certification and so a new document; ``sha256`` lets anyone check the
    stored file is the one generated."""

    certification = models.OneToOneField(
        Certification,
        verbose_name=_("certification"),
        on_delete=models.PROTECT,
        related_name="document",
    )
    file = models.FileField(_("file"), upload_to=_certificate_path, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("certificate document")
        verbose_name_plural = _("certificate documents")

    def __str__(self):
        return str(self.certification)


# --- Practical sign-off and suspension with corrective training -----------------------------


class PracticalSignoff(models.Model):
    """An assessor's record of a technician's practical assessment for a programme: the
    checklist as it was ticked, the result, notes and photos. A record, never edited."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="practical_signoffs",
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="signoffs"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    checklist = models.JSONField(_("checklist"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        verbose_name = _("practical sign-off")
        verbose_name_plural = _("practical sign-offs")
        indexes = [models.Index(fields=["user", "programme", "result"])]

    def __str__(self):
        return f"{self.user} · {self.programme} · {self.get_result_display()}"


class PracticalSignoffPhoto(models.Model):
    signoff = models.ForeignKey(PracticalSignoff, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="signoffs/%Y/%m/")

    class Meta:
        verbose_name = _("sign-off photo")
        verbose_name_plural = _("sign-off photos")

    def __str__(self):
        return self.image.name


class Suspension(models.Model):
    """A manager's suspension of a technician's certifications (one skill or all), with the
    corrective learning path they must complete before the manager may approve reinstatement.

    ``training`` → (path completed) → ``awaiting_approval`` → ``reinstated``; ``revoked`` is
    final. Without a corrective path it awaits approval from the start."""

    class Status(models.TextChoices):
        TRAINING = "training", _("Corrective training")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting reinstatement approval")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")

    OPEN = (Status.TRAINING, Status.AWAITING_APPROVAL)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="suspensions",
    )
    skill = models.ForeignKey(
        Skill,
        verbose_name=_("skill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every skill."),
    )
    certifications = models.ManyToManyField(
        Certification, verbose_name=_("certifications"), related_name="suspensions"
    )
    reason_code = models.CharField(
        _("reason"), max_length=30, choices=CertificationEvent.Reason.choices
    )
    reason_text = models.TextField(_("details"), blank=True)
    corrective_path = models.ForeignKey(
        "courses.LearningPath",
        verbose_name=_("corrective path"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TRAINING
    )
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suspended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suspended_at = models.DateTimeField(_("suspended at"), default=timezone.now)
    training_completed_at = models.DateTimeField(_("training completed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-suspended_at", "-pk"]
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.user} · {self.get_reason_code_display()} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


# The dashboards keep their model in their own package (certification/dashboards/).
from .dashboards.models import ExportJob  # noqa: E402, F401
