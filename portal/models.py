"""The organisation the portal serves: regions, authorised service outlets (网点), their staff,
the integrations allowed to call the API, and the home page."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail.search import index

from .roles import Role, role_from_group_name


class ProductLine(models.Model):
    """A family of appliances the brand services (家用空调, 洗衣机...). Outlets are authorised
    per product line; skills and cases belong to one."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self):
        return self.name


class Region(index.Indexed, models.Model):
    """A sales/service region (大区) grouping outlets; managers are often scoped to one."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class ServiceOutlet(index.Indexed, models.Model):
    """An independent repair company authorised by the brand for a region (网点)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    code = models.CharField(_("outlet code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="outlets"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    product_lines = models.ManyToManyField(
        ProductLine, verbose_name=_("authorised product lines"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("name"),
        index.SearchField("code"),
        index.AutocompleteField("name"),
        index.FilterField("region"),
        index.FilterField("status"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("service outlet")
        verbose_name_plural = _("service outlets")

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class StaffProfile(index.Indexed, models.Model):
    """A person working in the service network, linked one-to-one to their login.

    Roles are the user's ``role:*`` groups; the profile holds what HR knows about the person.
    A manager's scope is the regions and outlets listed here; with none listed, their own
    outlet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    outlet = models.ForeignKey(
        ServiceOutlet,
        verbose_name=_("outlet"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        help_text=_("Empty for brand staff who do not belong to an outlet."),
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    managed_regions = models.ManyToManyField(
        Region, verbose_name=_("manages regions"), blank=True, related_name="managers"
    )
    managed_outlets = models.ManyToManyField(
        ServiceOutlet, verbose_name=_("manages outlets"), blank=True, related_name="managers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("name"),
        index.SearchField("employee_no"),
        index.AutocompleteField("name"),
        index.FilterField("outlet"),
        index.FilterField("active"),
    ]

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return f"{self.name}（{self.employee_no}）"

    @property
    def roles(self) -> list[Role]:
        found = (role_from_group_name(g.name) for g in self.user.groups.all())
        return sorted((r for r in found if r), key=list(Role).index)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A credential for an outside system (HR sync, ticket system, dispatch).

    Only a SHA-256 digest of the key is stored; the key itself is shown once at creation.
    The prefix identifies a key in logs and lists without revealing it."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [models.UniqueConstraint(Lower("name"), name="apikey_unique_name")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ImportBatch(models.Model):
    """One uploaded organisation file: kept from preview to apply so the person confirming
    applies exactly what they previewed, and afterwards as a record of who imported what."""

    class Kind(models.TextChoices):
        OUTLETS = "outlets", _("Outlets")
        STAFF = "staff", _("Staff")
        # Adoption imports of the certification app (registered by it, see portal.imports).
        SKILLS = "skills", _("Skills")
        CERTIFICATIONS = "certifications", _("Certifications")
        LICENCES = "licences", _("Licences")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED
    )
    report = models.JSONField(_("report"), default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.original_name


class HomePage(Page):
    """The portal's front door: after login it shows each person what their roles need."""

    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .selectors import home_sections_for

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections_for(user=request.user)
        return context


class Notification(models.Model):
    """A message to one person, shown in the portal and optionally emailed.

    ``key`` names the event it is about (e.g. ``path-overdue:3:2026-12-01``); one person gets
    at most one notification per key, which is what makes reminders "never twice"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_event")
        ]

    def __str__(self):
        return self.title
