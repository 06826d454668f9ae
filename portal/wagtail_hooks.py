"""Wagtail admin for the organisation: regions, outlets, staff, imports.

Managers see and edit only the outlets and staff in their scope; an object outside it answers
404 whether reached from a list or typed into the URL."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from . import import_views
from .admin_forms import StaffProfileAdminForm
from .models import Region, ServiceOutlet, StaffProfile
from .selectors import outlets_in_scope, staff_in_scope


class ScopedViewMixin:
    """Restricts a generic admin view to the objects ``scope(user=...)`` returns."""

    scope = None

    def get_base_queryset(self):
        return type(self).scope(user=self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not type(self).scope(user=self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


def scoped(view_class, scope):
    return type(view_class.__name__, (ScopedViewMixin, view_class), {"scope": staticmethod(scope)})


class RegionViewSet(ModelViewSet):
    model = Region
    icon = "site"
    form_fields = ["code", "name"]
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    copy_view_enabled = False


class OutletViewSet(ModelViewSet):
    model = ServiceOutlet
    icon = "home"
    form_fields = [
        "code",
        "name",
        "region",
        "address",
        "contact_name",
        "phone",
        "product_lines",
        "status",
    ]
    list_display = ["name", "code", "region", "status"]
    list_filter = ["region", "status", "product_lines"]
    search_fields = ["name", "code"]
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = scoped(generic.IndexView, outlets_in_scope)
    edit_view_class = scoped(generic.EditView, outlets_in_scope)
    delete_view_class = scoped(generic.DeleteView, outlets_in_scope)
    inspect_view_class = scoped(generic.InspectView, outlets_in_scope)


class StaffViewSet(ModelViewSet):
    model = StaffProfile
    icon = "user"
    form_class = StaffProfileAdminForm
    list_display = ["name", "employee_no", "outlet", "active"]
    list_filter = ["active", "outlet__region", "outlet"]
    search_fields = ["name", "employee_no"]
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = scoped(generic.IndexView, staff_in_scope)
    edit_view_class = scoped(generic.EditView, staff_in_scope)
    delete_view_class = scoped(generic.DeleteView, staff_in_scope)
    inspect_view_class = scoped(generic.InspectView, staff_in_scope)

    def get_form_class(self, for_update=False):
        return StaffProfileAdminForm


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("portal.add_importbatch")


class ImportViewSet(ViewSet):
    """Upload, preview and apply organisation files (README: "Organisation import")."""

    name = "organisation-import"
    icon = "upload"
    menu_label = _("Import outlets and staff")
    menu_item_class = ImportMenuItem

    def get_urlpatterns(self):
        return [
            path("", import_views.upload, name="upload"),
            path("<int:batch_id>/", import_views.preview, name="preview"),
        ]


class OrganisationGroup(ViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 250
    items = (
        RegionViewSet("regions"),
        OutletViewSet("outlets"),
        StaffViewSet("staff"),
        ImportViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationGroup()
