"""Admin for certification: the skills catalogue, licence types and programmes (trainers), the
ledger (read-only, with its events) and outside licences (managers verify within their scope).

Managers see certifications and licences of the staff in their scope only; anything else
answers 404, from lists and typed URLs alike."""

from django import forms
from django.contrib.auth.models import User
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from portal.import_views import allowed_kinds
from portal.roles import Role
from portal.selectors import staff_in_scope, user_roles

from .imports import IMPORT_SPECS
from .models import Certification, Licence, LicenceType, Programme, Skill, VerificationCard
from .services import licence_verify
from .webhooks_admin import ReplayDeliveriesBulkAction, WebhookGroup


def _sees_everyone(user) -> bool:
    return bool(user_roles(user=user) & {Role.ADMIN, Role.TRAINER})


def _people_in_scope(user):
    if _sees_everyone(user):
        return User.objects.all()
    return User.objects.filter(staff_profile__in=staff_in_scope(user=user))


class PersonScopedMixin:
    """Restricts a view to records of the people the user may see."""

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if _sees_everyone(self.request.user):
            return queryset
        return queryset.filter(user__in=_people_in_scope(self.request.user))

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not _people_in_scope(self.request.user).filter(pk=obj.user_id).exists():
            raise Http404
        return obj


def _scoped(view_class):
    return type(view_class.__name__, (PersonScopedMixin, view_class), {})


class LedgerPermissionPolicy(ModelPermissionPolicy):
    """The ledger changes only through its actions (suspend, reinstate, revoke), never by
    editing or deleting records."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Certification, LedgerPermissionPolicy(Certification), exact_class=True)


class CertificationInspectView(_scoped(snippet_views.InspectView)):
    def get_events_display_value(self):
        events = self.object.events.select_related("actor")
        return format_html_join("", "<p>{}</p>", ((str(e),) for e in events)) or "-"

    def get_document_display_value(self):
        if not hasattr(self.object, "document"):
            return _("Being prepared")
        url = reverse("certification:certificate_pdf", args=[self.object.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the certificate (PDF)"))


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "tag"
    list_display = ["code", "name", "product_line", "max_level"]
    list_filter = ["product_line"]
    search_fields = ["code", "name"]
    copy_view_enabled = False


class LicenceTypeViewSet(SnippetViewSet):
    model = LicenceType
    icon = "clipboard-list"
    list_display = ["code", "name", "validity_years", "review_every_years"]
    copy_view_enabled = False


class ProgrammeViewSet(SnippetViewSet):
    model = Programme
    icon = "form"
    list_display = ["skill", "level", "version", "active", "validity_months"]
    list_filter = ["skill", "level", "active"]


class CertificationViewSet(SnippetViewSet):
    model = Certification
    icon = "success"
    list_display = ["user", "skill", "level", "status", "issued_at", "expires_at"]
    list_filter = ["status", "skill", "level"]
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = _scoped(snippet_views.IndexView)
    inspect_view_class = CertificationInspectView
    inspect_view_fields = [
        "user",
        "skill",
        "level",
        "status",
        "programme",
        "programme_version",
        "issued_at",
        "valid_from",
        "expires_at",
        "grace_days",
        "evidence",
        "superseded_by",
        "events",
        "document",
    ]


class LicenceForm(WagtailAdminModelForm):
    """Licence details; ticking "verified" records the current user as the verifier."""

    verify = forms.BooleanField(label=_("I have checked the original: verified"), required=False)

    class Meta:
        model = Licence
        fields = [
            "user",
            "licence_type",
            "number",
            "issuing_authority",
            "issued_on",
            "expires_on",
            "next_review_on",
            "scan",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["user"].queryset = _people_in_scope(self.for_user)
        if self.instance.pk and self.instance.is_verified:
            self.fields["verify"].initial = True
            self.fields["verify"].disabled = True

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("The expiry lies before the issue date."))
        return cleaned

    def save(self, commit=True):
        licence = super().save(commit=commit)
        if commit and self.cleaned_data.get("verify") and not licence.is_verified:
            licence_verify(licence=licence, user=self.for_user)
        return licence


class LicenceViewSet(SnippetViewSet):
    model = Licence
    icon = "doc-full"
    form_class = LicenceForm
    list_display = [
        "user",
        "licence_type",
        "number",
        "expires_on",
        "next_review_on",
        "verified_at",
        "voided_on",
    ]
    list_filter = ["licence_type"]
    search_fields = ["number"]
    copy_view_enabled = False
    index_view_class = _scoped(snippet_views.IndexView)
    edit_view_class = _scoped(snippet_views.EditView)
    delete_view_class = _scoped(snippet_views.DeleteView)

    def get_form_class(self, for_update=False):
        return LicenceForm


class VerificationCardForm(WagtailAdminModelForm):
    """The photo on a technician's public verification page; the code is never edited."""

    class Meta:
        model = VerificationCard
        fields = ["user", "photo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None:
            self.fields["user"].queryset = _people_in_scope(self.for_user)
        if self.instance.pk:
            self.fields["user"].disabled = True


class VerificationCardViewSet(SnippetViewSet):
    model = VerificationCard
    icon = "user"
    form_class = VerificationCardForm
    list_display = ["user", "created_at"]
    copy_view_enabled = False
    index_view_class = _scoped(snippet_views.IndexView)
    edit_view_class = _scoped(snippet_views.EditView)
    delete_view_class = _scoped(snippet_views.DeleteView)

    def get_form_class(self, for_update=False):
        return VerificationCardForm


@register_snippet
class CertificationGroup(SnippetViewSetGroup):
    menu_label = _("Certification")
    menu_icon = "success"
    menu_order = 220
    items = (
        CertificationViewSet,
        LicenceViewSet,
        VerificationCardViewSet,
        SkillViewSet,
        ProgrammeViewSet,
        LicenceTypeViewSet,
    )


# Webhook subscriptions and the delivery log (administrators only): certification/webhooks_admin.py
register_snippet(WebhookGroup)
hooks.register("register_bulk_action", ReplayDeliveriesBulkAction)

# Practical sign-offs for assessors register their own admin views.
from . import signoff_admin  # noqa: E402, F401


class AdoptionImportMenuItem(MenuItem):
    """The portal's import upload, opened on the certification kinds."""

    def is_shown(self, request):
        kinds = allowed_kinds(request.user)
        return any(spec.kind in kinds for spec in IMPORT_SPECS)

    def render_component(self, request):
        kinds = allowed_kinds(request.user)
        first = next(spec.kind for spec in IMPORT_SPECS if spec.kind in kinds)
        self.url = f"{reverse('organisation-import:upload')}?kind={first}"
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_adoption_import_menu_item():
    return AdoptionImportMenuItem(
        _("Import skills, certifications and licences"),
        "#",
        name="adoption-import",
        icon_name="upload",
        order=221,
    )
