"""The quiz engine's records: the question bank, quizzes built from it, and attempts.

An attempt freezes what the learner sees (``snapshot``) and, separately, how it is graded
(``answer_key``). The answer key is read only by the grading service and the review page after
submission; nothing that renders a running attempt ever reads it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

from ..forms import QuestionForm, QuizForm

STEM_FEATURES = ["bold", "italic", "ol", "ul", "image"]


class QuestionCategory(models.Model):
    """A product line or topic questions are filed under, e.g. 空调安装 or 冷媒安全."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    product_line = models.ForeignKey(
        "portal.ProductLine",
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("product_line"), FieldPanel("description")]

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    FILL_IN = "fill_in", _("Fill in the blank")
    ORDERING = "ordering", _("Put in order")


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "courses.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Question(RevisionMixin, index.Indexed, ClusterableModel):
    """One question of the bank. Choices are the inline ``choices``; for ordering questions
    their order is the correct order. True/false questions use ``true_false_answer`` and
    fill-in questions ``accepted_answers`` (one per line)."""

    code = models.CharField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Optional reference used to update the question from a spreadsheet."),
    )
    question_type = models.CharField(
        _("type"), max_length=20, choices=QuestionType.choices, default=QuestionType.SINGLE
    )
    stem = RichTextField(_("question"), features=STEM_FEATURES)
    stem_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("tags"))
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"),
        choices=[(1, _("Easy")), (2, _("Medium")), (3, _("Hard"))],
        default=2,
    )
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_(
            "Multiple choice and ordering: give part of the mark for a partly right answer."
        ),
    )
    true_false_answer = models.BooleanField(_("the statement is true"), default=True)
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_(
            "Fill in the blank: one accepted answer per line. Full-width and half-width "
            "characters, spaces and letter case are ignored."
        ),
    )
    explanation = models.TextField(_("explanation"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("question_type"),
        FieldPanel("stem"),
        FieldPanel("stem_image"),
        InlinePanel("choices", label=_("options")),
        MultiFieldPanel(
            [
                FieldPanel("partial_credit"),
                FieldPanel("true_false_answer"),
                FieldPanel("accepted_answers"),
            ],
            heading=_("Answer"),
        ),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("tags"),
                FieldPanel("difficulty"),
                FieldPanel("code"),
            ],
            heading=_("Filing"),
        ),
    ]
    search_fields = [
        index.SearchField("stem"),
        index.AutocompleteField("stem"),
        index.SearchField("code"),
        index.FilterField("question_type"),
        index.FilterField("category_id"),
        index.FilterField("difficulty"),
    ]
    base_form_class = QuestionForm

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(code__gt=""), name="unique_question_code"
            ),
            models.CheckConstraint(
                name="question_difficulty_1_to_3",
                condition=models.Q(difficulty__gte=1, difficulty__lte=3),
            ),
        ]

    def __str__(self):
        from django.utils.html import strip_tags
        from django.utils.text import Truncator

        return Truncator(strip_tags(self.stem)).chars(60)

    def accepted_answer_list(self) -> list[str]:
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]


class QuestionChoice(Orderable):
    """An option of a choice question, or one step of an ordering question."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_correct = models.BooleanField(_("correct"), default=False)

    panels = [FieldPanel("text"), FieldPanel("image"), FieldPanel("is_correct")]

    def __str__(self):
        return self.text


class QuizLayout(models.TextChoices):
    ALL_ON_ONE_PAGE = "all", _("All questions on one page")
    ONE_PER_PAGE = "one", _("One question per page")


class ReviewPolicy(models.IntegerChoices):
    """What a learner sees after submitting; each level includes the ones before it."""

    NOTHING = 0, _("Nothing")
    SCORE = 1, _("Score and pass/fail")
    CORRECTNESS = 2, _("Which questions were right")
    ANSWERS = 3, _("Correct answers")
    EXPLANATIONS = 4, _("Correct answers and explanations")


class Quiz(RevisionMixin, index.Indexed, ClusterableModel):
    """A quiz or exam: fixed questions and/or random draws from the bank, with the rules
    attempts follow. Edits never change attempts already started (they are frozen)."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_choices = models.BooleanField(_("shuffle options"), default=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    cooldown_minutes = models.PositiveIntegerField(_("minutes between attempts"), default=0)
    layout = models.CharField(
        _("layout"), max_length=10, choices=QuizLayout.choices, default=QuizLayout.ALL_ON_ONE_PAGE
    )
    review_policy = models.PositiveSmallIntegerField(
        _("after submitting, show"), choices=ReviewPolicy.choices, default=ReviewPolicy.SCORE
    )
    answers_only_after_passing = models.BooleanField(
        _("show correct answers only after passing"), default=False
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("fixed_questions", label=_("fixed questions")),
        InlinePanel("draws", label=_("random draws")),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("attempts_allowed"),
                FieldPanel("cooldown_minutes"),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_choices"),
                FieldPanel("layout"),
                FieldPanel("review_policy"),
                FieldPanel("answers_only_after_passing"),
            ],
            heading=_("Presentation and review"),
        ),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]
    base_form_class = QuizForm

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self):
        return self.title


class QuizQuestion(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        unique_together = [("quiz", "question")]


class QuizDraw(Orderable):
    """Draw ``count`` random questions of a category, optionally only those with any of the
    given tags and of one difficulty."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="draws")
    category = models.ForeignKey(
        QuestionCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(
        _("number of questions"), default=10, validators=[MinValueValidator(1)]
    )
    tags = models.CharField(
        _("with any of these tags"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated; empty means any."),
    )
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"),
        null=True,
        blank=True,
        choices=[(1, _("Easy")), (2, _("Medium")), (3, _("Hard"))],
        help_text=_("Empty means any."),
    )

    panels = [
        FieldPanel("category"),
        FieldPanel("count"),
        FieldPanel("tags"),
        FieldPanel("difficulty"),
    ]

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Closed at the time limit")


class QuizAttempt(models.Model):
    """One sitting of a quiz by one person. Counted per (user, quiz) for attempt limits and
    cooldowns, whatever happens to their enrolments."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        _("status"), max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True)
    passed = models.BooleanField(_("passed"), null=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    # What the learner is shown: questions, options and their order. No answers in here.
    snapshot = models.JSONField(default=list)
    # How it is graded, keyed like the snapshot. Server-side only, never rendered.
    answer_key = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        indexes = [models.Index(fields=["user", "quiz", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=models.Q(status="in_progress"),
                name="one_running_attempt_per_quiz",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.quiz} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def duration_seconds(self) -> int | None:
        end = self.submitted_at
        return int((end - self.started_at).total_seconds()) if end else None
