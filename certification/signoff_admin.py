"""Admin for assessors: record a practical sign-off (checklist, result, notes, photos) for a
technician they may assess, and see the sign-offs recorded. Thin adapters over
``certification.signoffs``; registered from ``wagtail_hooks``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from portal.exceptions import PortalError

from .models import PracticalSignoff
from .signoffs import (
    MAX_PHOTOS,
    programmes_needing_signoff,
    signoff_record,
    signoffs_visible_to,
    technicians_assessable_by,
    user_may_assess,
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several photos in one input; each is validated as an image."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class SignoffForm(forms.Form):
    technician = forms.ModelChoiceField(label=gettext_lazy("Technician"), queryset=None)
    checked_items = forms.MultipleChoiceField(
        label=gettext_lazy("Checklist: items up to standard"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=PracticalSignoff.Result.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    photos = MultipleImageField(
        label=gettext_lazy("Photos as evidence"),
        required=False,
        help_text=gettext_lazy("Up to 10 photos (JPEG or PNG)."),
    )

    def __init__(self, *args, programme, assessor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = technicians_assessable_by(user=assessor)
        self.fields["technician"].label_from_instance = lambda s: (
            f"{s.name}（{s.employee_no}） · {s.outlet.name if s.outlet else ''}"
        )
        self.fields["checked_items"].choices = [(i, i) for i in programme.checklist_items]

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s photos per sign-off.") % {"n": MAX_PHOTOS})
        return photos


def _require_assessor(request):
    if not user_may_assess(user=request.user):
        raise PermissionDenied


def index(request):
    _require_assessor(request)
    return TemplateResponse(
        request,
        "certification/admin/signoff_index.html",
        {
            "programmes": programmes_needing_signoff(),
            "signoffs": signoffs_visible_to(user=request.user).prefetch_related("photos")[:100],
        },
    )


def create(request, programme_id: int):
    _require_assessor(request)
    programme = get_object_or_404(programmes_needing_signoff(), pk=programme_id)
    form = SignoffForm(
        request.POST or None, request.FILES or None, programme=programme, assessor=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signoff_record(
                assessor=request.user,
                technician=data["technician"].user,
                programme=programme,
                checked_items=data["checked_items"],
                result=data["result"],
                notes=data["notes"],
                photos=data["photos"],
            )
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Practical sign-off recorded."))
            return redirect("practical-signoffs:index")
    return TemplateResponse(
        request,
        "certification/admin/signoff_form.html",
        {"programme": programme, "form": form},
    )


class SignoffMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_assess(user=request.user)


class SignoffViewSet(ViewSet):
    """Record practical sign-offs (assessors: trainers and those granted the permission)."""

    name = "practical-signoffs"
    icon = "tick-inverse"
    menu_label = gettext_lazy("Practical sign-offs")
    menu_order = 225
    add_to_admin_menu = True
    menu_item_class = SignoffMenuItem

    def get_urlpatterns(self):
        return [
            path("", index, name="index"),
            path("<int:programme_id>/new/", create, name="create"),
        ]


@hooks.register("register_admin_viewset")
def register_signoff_viewset():
    return SignoffViewSet()
