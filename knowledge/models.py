"""Closed service tickets and the repair cases built from them.

Raw tickets keep the customer's data and are seen only by managers and quality staff; every
other part of the portal works from the redacted text stored next to it. Cases are snippets
(100,000 of them need no page tree) with revisions, draft state and a KCS status."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index

from .forms import CaseAdminForm


class ServiceType(models.TextChoices):
    REPAIR = "维修", _("Repair")
    INSTALL = "安装", _("Installation")
    MAINTENANCE = "保养", _("Maintenance")
    RETURN = "退换货", _("Return or exchange")


class Ticket(models.Model):
    """A closed service ticket as the ticket system sent it, plus its processing state."""

    # Its links (product line, case) are not content anyone looks up "usages" of; skipping the
    # reference index saves a background task per ticket save.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        CASE_CREATED = "case_created", _("Case created")
        MERGED = "merged", _("Merged into a case")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    ticket_no = models.CharField(_("ticket number"), max_length=40, unique=True)
    closed_at = models.DateTimeField(_("closed at"))
    service_type = models.CharField(
        _("service type"), max_length=10, choices=ServiceType.choices, blank=True
    )
    product_line = models.ForeignKey(
        "portal.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    product_model = models.CharField(_("product model"), max_length=60, blank=True)
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    customer_name = models.CharField(_("customer name"), max_length=60, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=40, blank=True)
    customer_address = models.CharField(_("customer address"), max_length=300, blank=True)
    reported_symptom = models.TextField(_("reported symptom"), blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    parts_replaced = models.JSONField(_("parts replaced"), default=list, blank=True)
    warranty = models.CharField(_("warranty"), max_length=20, blank=True)
    technician_employee_no = models.CharField(_("technician"), max_length=30, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Redacted copies of the free-text fields: the only text the pipeline reads.
    redacted = models.JSONField(default=dict, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    case = models.ForeignKey(
        "knowledge.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-closed_at"]
        verbose_name = _("service ticket")
        verbose_name_plural = _("service tickets")
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.ticket_no


class Case(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """A repair case in the knowledge base, shaped like a KCS article: symptom, environment,
    cause, resolution, parts. Built from redacted tickets; never holds customer data."""

    class KcsStatus(models.TextChoices):
        NOT_VALIDATED = "not_validated", _("Not validated")
        VALIDATED = "validated", _("Validated")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"))
    product_line = models.ForeignKey(
        "portal.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    product_models = models.JSONField(_("product models"), default=list, blank=True)
    error_codes = models.JSONField(_("error codes"), default=list, blank=True)
    # The code the case is about (its first), kept apart so candidates filter by index.
    error_code = models.CharField(_("main error code"), max_length=20, blank=True, editable=False)
    refrigerant = models.CharField(_("refrigerant"), max_length=20, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    resolution = models.TextField(_("resolution"))
    parts = models.JSONField(_("parts"), default=list, blank=True)
    kcs_status = models.CharField(
        _("KCS status"),
        max_length=20,
        choices=KcsStatus.choices,
        default=KcsStatus.NOT_VALIDATED,
    )
    occurrences = models.PositiveIntegerField(_("occurrences"), default=0)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    is_recurring = models.BooleanField(_("recurring (重复发生)"), default=False)
    is_batch = models.BooleanField(_("batch (批量)"), default=False)
    flagged_at = models.DateTimeField(_("flagged at"), null=True, blank=True)
    # Parental: a live case's edits wait in a revision, and so must its links, until published.
    related_pages = ParentalManyToManyField(
        "wagtailcore.Page",
        verbose_name=_("lessons and courses that teach the fix"),
        blank=True,
        related_name="+",
    )
    # Space-separated significant words of symptom and cause, for duplicate matching.
    fingerprint = models.TextField(blank=True, editable=False)
    # Saved since the search index last wrote it (knowledge/indexing.py coalesces the writes).
    search_stale = models.BooleanField(default=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    base_form_class = CaseAdminForm

    panels = [
        FieldPanel("title"),
        FieldPanel("symptom"),
        MultiFieldPanel(
            [FieldPanel("product_line"), FieldPanel("refrigerant")], heading=_("Environment")
        ),
        FieldPanel("cause"),
        FieldPanel("resolution"),
        FieldPanel("kcs_status"),
        FieldPanel("related_pages"),
    ]

    search_fields = [
        index.SearchField("title", boost=3),
        index.SearchField("symptom", boost=2),
        index.SearchField("cause"),
        index.SearchField("resolution"),
        index.SearchField("search_codes", boost=3),
        index.SearchField("search_parts"),
        index.SearchField("search_reports", boost=0.5),
        index.AutocompleteField("title"),
        index.FilterField("kcs_status"),
        index.FilterField("product_line"),
        index.FilterField("error_code"),
        index.FilterField("live"),
    ]

    # Saves mark the case stale and one coalesced task indexes it (knowledge/indexing.py).
    search_auto_update = False

    class Meta:
        verbose_name = _("repair case")
        verbose_name_plural = _("repair cases")
        indexes = [
            models.Index(fields=["product_line", "error_code", "last_seen"]),
            models.Index(
                fields=["id"], condition=models.Q(search_stale=True), name="knowledge_case_stale"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:case", args=[self.pk])

    # The figures counted from the case's occurrences (knowledge.services keeps them).
    FIGURE_FIELDS = (
        "occurrences",
        "first_seen",
        "last_seen",
        "product_models",
        "error_codes",
        "error_code",
        "is_recurring",
        "is_batch",
        "flagged_at",
    )
    # Fields the pipeline keeps up to date while a trainer's draft waits: publishing or
    # loading a revision never rolls them back to what they were when the draft was saved.
    PIPELINE_FIELDS = (*FIGURE_FIELDS, "fingerprint")

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.PIPELINE_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    @property
    def search_codes(self) -> str:
        """Error codes and model numbers as one searchable text."""
        return " ".join([*self.error_codes, *self.product_models])

    #: Folded tickets whose words are indexed with the case (the most recent ones).
    SEARCH_REPORTS_LIMIT = 20

    @property
    def search_parts(self) -> list[str]:
        """Parts replaced, e.g. "压缩机电容 25μF/450V"."""
        return [str(part) for part in self.parts or []]

    @property
    def search_reports(self) -> list[str]:
        """The redacted words of the tickets folded into this case (symptom as reported,
        diagnosis, cause, fix). The case text is written from its first ticket; later
        occurrences describe the same fault in other words ("不凉", "缺冷媒", "电池没电"),
        and technicians search in those words too. Redacted text only, never notes."""
        if not self.pk:
            return []
        rows = Ticket.objects.filter(occurrence__case=self).order_by("-closed_at")
        texts = []
        for redacted in rows.values_list("redacted", flat=True)[: self.SEARCH_REPORTS_LIMIT]:
            for key in ("reported_symptom", "diagnosis", "root_cause", "resolution"):
                value = (redacted or {}).get(key) or ""
                if value.strip() and value not in texts:
                    texts.append(value)
        return texts


class CaseOccurrence(models.Model):
    """One ticket seen as an instance of a case. A ticket belongs to at most one case."""

    # Indexed by the (case, seen_at) index below, which serves lookups by case alone too.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="occurrence_set", db_index=False
    )
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="occurrence")
    seen_at = models.DateTimeField()
    product_model = models.CharField(max_length=60, blank=True)
    error_code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["seen_at"]
        # A new occurrence reads only its case's occurrences near it in time, of any model
        # (recurring) and of its model (batch).
        indexes = [
            models.Index(fields=["case", "seen_at"]),
            models.Index(fields=["case", "product_model", "seen_at"]),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.ticket_id}"


class CaseFlag(models.Model):
    """A technician's feedback that a case did not work or is outdated."""

    class Kind(models.TextChoices):
        DID_NOT_WORK = "did_not_work", _("This did not work")
        OUTDATED = "outdated", _("Outdated")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case flag")
        verbose_name_plural = _("case flags")

    def __str__(self):
        return f"{self.case_id} {self.kind}"


class SynonymGroup(models.Model):
    """Words technicians use for the same thing (冷媒 = 制冷剂 = 氟 = 雪种). Applied when a query
    is searched, so an edit takes effect at once, without reindexing."""

    terms = models.CharField(
        _("words"),
        max_length=500,
        help_text=_("Separate the words with commas, e.g. 冷媒, 制冷剂, 氟, 雪种"),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonyms")

    def __str__(self):
        return self.terms

    @property
    def words(self) -> list[str]:
        from portal.records import split_list

        return split_list(self.terms.replace("=", ","))


class SearchQueryLog(models.Model):
    """One knowledge-base search: what was asked, by which role, how many results, whether a
    result was opened. No user identity is kept."""

    query = models.CharField(_("query"), max_length=200)
    role = models.CharField(_("role"), max_length=20, blank=True)
    results = models.PositiveIntegerField(_("results"))
    clicked_case = models.ForeignKey(
        Case,
        verbose_name=_("opened case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("searched at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return self.query


class SearchWord(models.Model):
    """A word search must keep whole (a part name, a fault, a product nickname) that the shipped
    domain dictionary lacks. Used for new queries within seconds; cases hold it as one word
    once they are re-indexed."""

    word = models.CharField(
        _("word"),
        max_length=20,
        unique=True,
        help_text=_(
            "Chinese characters only, at least two, e.g. 四通阀线圈. Searches use it within "
            "seconds; existing cases hold it as one word after the search index is rebuilt."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")

    def __str__(self):
        return self.word

    def clean(self):
        from django.core.exceptions import ValidationError

        from portal.search.analysis import normalise

        self.word = normalise(self.word or "").strip()
        if len(self.word) < 2 or not all("\u3400" <= ch <= "\u9fff" for ch in self.word):
            raise ValidationError(
                {"word": _("Enter at least two Chinese characters, nothing else.")}
            )
