"""Learning content and the learner's record: course and lesson pages, learning paths and their
assignments, enrolments and lesson progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, RevisionMixin
from wagtail.search import index

from portal.roles import Role

from ..blocks import LessonStreamBlock
from ..forms import CoursePageForm


class CourseLayer(models.TextChoices):
    """The training layers the service regulations ask for."""

    ONBOARDING = "onboarding", _("Onboarding")
    SKILLS = "skills", _("Skills")
    MANAGEMENT = "management", _("Management")


class CourseIndexPage(Page):
    """The catalogue of courses a learner may take."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from ..selectors import course_cards_for

        context = super().get_context(request, *args, **kwargs)
        context["cards"] = course_cards_for(user=request.user, index=self)
        return context


class CoursePage(Page):
    """A course: an ordered set of lessons (its child pages) with who it is for and what it
    teaches. Completion is recorded against the course revision the learner completed."""

    summary = models.TextField(_("summary"), max_length=600)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    layer = models.CharField(
        _("training layer"), max_length=20, choices=CourseLayer.choices, default=CourseLayer.SKILLS
    )
    product_line = models.ForeignKey(
        "portal.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    target_roles = models.JSONField(
        _("target roles"), default=list, blank=True, help_text=_("Who this course is for.")
    )
    skill_codes = models.CharField(
        _("skills taught"),
        max_length=300,
        blank=True,
        help_text=_("Skill codes this course teaches, comma-separated (e.g. AC-SPLIT-INSTALL)."),
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated time (minutes)"), default=30)
    prerequisites = ParentalManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
        help_text=_("Courses a learner must complete before starting this one."),
    )
    self_enrolment = models.BooleanField(
        _("open for self-enrolment"),
        default=True,
        help_text=_("Otherwise only people assigned a learning path with this course may take it."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [
                FieldPanel("layer"),
                FieldPanel("product_line"),
                FieldPanel("target_roles"),
                FieldPanel("skill_codes"),
                FieldPanel("estimated_minutes"),
            ],
            heading=_("Audience and scope"),
        ),
        MultiFieldPanel(
            [FieldPanel("prerequisites"), FieldPanel("self_enrolment")],
            heading=_("Access"),
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("skill_codes"),
        index.FilterField("layer"),
    ]

    base_form_class = CoursePageForm
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @property
    def target_role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.target_roles if r in Role.values]

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import course_overview_for

        context = super().get_context(request, *args, **kwargs)
        context["overview"] = course_overview_for(user=request.user, course=self)
        return context


class LessonPage(Page):
    """One lesson of a course. Only learners who may take the course can open it."""

    body = StreamField(LessonStreamBlock(), verbose_name=_("body"))
    estimated_minutes = models.PositiveIntegerField(_("estimated time (minutes)"), default=10)

    content_panels = [*Page.content_panels, FieldPanel("estimated_minutes"), FieldPanel("body")]

    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def serve(self, request, *args, **kwargs):
        from django.contrib import messages
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect

        from ..selectors import lesson_access_for
        from ..services import enrolment_touch

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access = lesson_access_for(user=request.user, lesson=self)
        if not access.allowed:
            messages.error(request, access.reason)
            return redirect(self.get_parent().url)
        enrolment_touch(user=request.user, lesson=self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..selectors import lesson_navigation_for

        context = super().get_context(request, *args, **kwargs)
        context["nav"] = lesson_navigation_for(user=request.user, lesson=self)
        return context


class LearningPath(RevisionMixin, index.Indexed, ClusterableModel):
    """An ordered set of courses, such as 新员工入职培训 or 家用空调安装技能."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_onboarding = models.BooleanField(
        _("onboarding path"),
        default=False,
        help_text=_("Assigned automatically to every new staff member when their account is made."),
    )
    onboarding_due_days = models.PositiveIntegerField(
        _("onboarding due (days after hire)"), default=30
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("is_onboarding"), FieldPanel("onboarding_due_days")],
            heading=_("Onboarding"),
        ),
        InlinePanel("items", label=_("courses"), min_num=1),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")

    def __str__(self):
        return self.title


class LearningPathItem(Orderable):
    path = ParentalKey(LearningPath, on_delete=models.CASCADE, related_name="items")
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE)

    panels = [FieldPanel("course")]

    class Meta(Orderable.Meta):
        unique_together = [("path", "course")]


class PathAssignment(models.Model):
    """Who must follow a path, by when. The target is exactly one of: a role, an outlet, a
    region or a person. The due date is fixed, or a number of days after the person's hire
    date or after the assignment."""

    class DueMode(models.TextChoices):
        FIXED = "fixed", _("Fixed date")
        AFTER_HIRE = "after_hire", _("Days after hire date")
        AFTER_ASSIGNMENT = "after_assignment", _("Days after assignment")

    path = models.ForeignKey(
        LearningPath,
        verbose_name=_("learning path"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    outlet = models.ForeignKey(
        "portal.ServiceOutlet",
        verbose_name=_("outlet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="path_assignments",
    )
    due_mode = models.CharField(
        _("due date"), max_length=20, choices=DueMode.choices, default=DueMode.AFTER_ASSIGNMENT
    )
    due_date = models.DateField(_("fixed due date"), null=True, blank=True)
    due_days = models.PositiveIntegerField(_("days"), default=30)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("path assignment")
        verbose_name_plural = _("path assignments")
        constraints = [
            models.CheckConstraint(
                name="assignment_has_exactly_one_target",
                condition=(
                    models.Q(
                        role__gt="", outlet__isnull=True, region__isnull=True, user__isnull=True
                    )
                    | models.Q(
                        role="", outlet__isnull=False, region__isnull=True, user__isnull=True
                    )
                    | models.Q(
                        role="", outlet__isnull=True, region__isnull=False, user__isnull=True
                    )
                    | models.Q(
                        role="", outlet__isnull=True, region__isnull=True, user__isnull=False
                    )
                ),
            ),
        ]

    def __str__(self):
        return f"{self.path} → {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.role:
            return str(Role(self.role).label)
        return str(self.outlet or self.region or self.user)


class Enrolment(models.Model):
    """A learner taking a course. ``completed_revision`` is the course revision that was live
    when they completed it, so later edits never rewrite what someone learned."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrolment")]

    def __str__(self):
        return f"{self.user} → {self.course}"


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")
        ]

    def __str__(self):
        return f"{self.user} ✔ {self.lesson}"
