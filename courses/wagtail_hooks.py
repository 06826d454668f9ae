"""Admin for learning paths and their assignments, and for the question bank and quizzes."""

from django import forms
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.roles import Role
from portal.selectors import outlets_in_scope, regions_in_scope, staff_in_scope, user_roles

from .models import LearningPath, PathAssignment, Question, QuestionCategory, Quiz
from .quiz import admin_views as quiz_admin_views
from .services import path_assign


class LearningPathViewSet(SnippetViewSet):
    model = LearningPath
    icon = "list-ol"
    list_display = ["title", "is_onboarding"]
    search_fields = ["title"]


def _sees_everyone(user) -> bool:
    return bool(user_roles(user=user) & {Role.ADMIN, Role.TRAINER})


class PathAssignmentForm(WagtailAdminModelForm):
    """Assign a path to a role, an outlet, a region or one person. Managers only see targets
    inside their scope and cannot assign to a whole role."""

    class Meta:
        model = PathAssignment
        fields = ["path", "role", "outlet", "region", "user", "due_mode", "due_date", "due_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth.models import User

        user = self.for_user
        if not _sees_everyone(user):
            self.fields["outlet"].queryset = outlets_in_scope(user=user)
            self.fields["region"].queryset = regions_in_scope(user=user)
            self.fields["user"].queryset = User.objects.filter(
                staff_profile__in=staff_in_scope(user=user)
            )
            del self.fields["role"]

    def clean(self):
        cleaned = super().clean()
        targets = [k for k in ("role", "outlet", "region", "user") if cleaned.get(k)]
        if len(targets) != 1:
            raise forms.ValidationError(_("Choose exactly one of: role, outlet, region or person."))
        if cleaned.get("due_mode") == PathAssignment.DueMode.FIXED and not cleaned.get("due_date"):
            self.add_error("due_date", _("Give the fixed due date."))
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        return path_assign(
            path=data["path"],
            assigned_by=self.for_user,
            role=data.get("role") or "",
            outlet=data.get("outlet"),
            region=data.get("region"),
            user=data.get("user"),
            due_mode=data["due_mode"],
            due_date=data.get("due_date"),
            due_days=data.get("due_days") or 0,
        )


class ScopedAssignmentIndex(IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("path", "outlet", "region", "user")
        user = self.request.user
        if _sees_everyone(user):
            return queryset
        from django.db.models import Q

        return queryset.filter(
            Q(outlet__in=outlets_in_scope(user=user))
            | Q(region__in=regions_in_scope(user=user))
            | Q(user__staff_profile__in=staff_in_scope(user=user))
        )


class PathAssignmentViewSet(SnippetViewSet):
    model = PathAssignment
    icon = "date"
    form_class = PathAssignmentForm
    list_display = ["path", "target_label", "due_mode", "created_at"]
    list_filter = ["path", "due_mode"]
    index_view_class = ScopedAssignmentIndex
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return PathAssignmentForm


@register_snippet
class LearningGroup(SnippetViewSetGroup):
    menu_label = _("Learning")
    menu_icon = "list-ol"
    menu_order = 200
    items = (LearningPathViewSet, PathAssignmentViewSet)


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    list_display = ["name", "product_line"]
    search_fields = ["name"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    list_display = ["__str__", "question_type", "category", "difficulty", "updated_at"]
    list_filter = ["question_type", "category", "difficulty"]
    search_fields = ["stem", "code"]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    list_display = ["title", "pass_mark", "time_limit_minutes", "attempts_allowed"]
    search_fields = ["title"]


class QuizToolsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("courses.view_quiz")


class QuizToolsViewSet(ViewSet):
    """Question spreadsheets and quiz statistics."""

    name = "quiz-tools"
    icon = "table"
    menu_label = _("Quiz statistics")
    menu_item_class = QuizToolsMenuItem
    add_to_admin_menu = True
    menu_order = 212

    def get_urlpatterns(self):
        return [
            path("", quiz_admin_views.quiz_statistics_index, name="index"),
            path(
                "quizzes/<int:quiz_id>/", quiz_admin_views.quiz_statistics_detail, name="statistics"
            ),
            path("questions/", quiz_admin_views.questions_exchange, name="questions"),
            path(
                "questions/export/", quiz_admin_views.questions_download, name="questions_download"
            ),
        ]


class QuestionExchangeMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("courses.add_question")


@register_snippet
class QuizBankGroup(SnippetViewSetGroup):
    menu_label = _("Question bank")
    menu_icon = "help"
    menu_order = 210
    items = (QuestionViewSet, QuestionCategoryViewSet, QuizViewSet)


@hooks.register("register_admin_viewset")
def register_quiz_tools_viewset():
    return QuizToolsViewSet()


@hooks.register("register_admin_menu_item")
def register_question_exchange_menu_item():
    from django.urls import reverse

    return QuestionExchangeMenuItem(
        _("Import and export questions"),
        reverse("quiz-tools:questions"),
        icon_name="upload",
        order=211,
    )
