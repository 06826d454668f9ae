"""Factories for the organisation; later features add theirs next to these."""

import factory
from django.contrib.auth.models import User

from portal.models import ProductLine, Region, ServiceOutlet, StaffProfile
from portal.roles import Role
from portal.services import staff_set_roles


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"测试大区{n}")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOutlet
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"OUT-{n:03d}")
    name = factory.Sequence(lambda n: f"测试服务网点{n}")
    region = factory.SubFactory(RegionFactory)
    address = "上海市测试区测试路1号"

    @factory.post_generation
    def product_lines(self, create, extracted, **kwargs):
        if create:
            self.product_lines.set(extracted or ProductLine.objects.filter(code="AC"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"U{n:05d}")
    password = factory.django.Password("pw-for-tests")


class StaffFactory(factory.django.DjangoModelFactory):
    """A staff member with a login. ``roles=[Role.MANAGER]`` sets their role groups."""

    class Meta:
        model = StaffProfile
        django_get_or_create = ("employee_no",)
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..employee_no"))
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    outlet = factory.SubFactory(OutletFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            staff_set_roles(user=self.user, roles=list(extracted or [Role.TECHNICIAN]))


def make_course(title, *, lessons=2, parent=None, publish=True, **fields):
    """A published course with ``lessons`` published lessons under the course catalogue."""
    from wagtail.rich_text import RichText

    from courses.models import CoursePage, LessonPage
    from courses.setup import course_catalogue_ensure

    parent = parent or course_catalogue_ensure()
    prerequisites = fields.pop("prerequisites", [])
    course = parent.add_child(
        instance=CoursePage(title=title, summary=f"{title}的课程简介", **fields)
    )
    if prerequisites:
        course.prerequisites.set(prerequisites)
    course.save_revision().publish()
    for n in range(1, lessons + 1):
        lesson = course.add_child(
            instance=LessonPage(
                title=f"{title} 第{n}课",
                body=[("rich_text", RichText(f"<p>{title} 第{n}课的内容</p>"))],
            )
        )
        if publish:
            lesson.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk)


def make_path(title, courses, **fields):
    from courses.models import LearningPath, LearningPathItem

    path = LearningPath.objects.create(title=title, **fields)
    for order, course in enumerate(courses):
        LearningPathItem.objects.create(path=path, course=course, sort_order=order)
    return path


# --- Quiz engine ---------------------------------------------------------------------------


def make_question(stem, *, kind="single", category="空调安装", choices=(), **fields):
    """A saved question. ``choices`` are (text, is_correct) pairs, in order (for ordering
    questions, the correct order)."""
    from courses.models import Question, QuestionCategory, QuestionChoice

    tags = fields.pop("tags", [])
    cat, _created = QuestionCategory.objects.get_or_create(name=category)
    question = Question(stem=f"<p>{stem}</p>", question_type=kind, category=cat, **fields)
    question.choices = [
        QuestionChoice(text=text, is_correct=correct, sort_order=i)
        for i, (text, correct) in enumerate(choices)
    ]
    if tags:
        question.tags.set(tags)
    question.save()
    return question


def make_quiz(title, *, questions=(), draws=(), **fields):
    """A saved quiz with fixed ``questions`` and ``draws`` as dicts of QuizDraw fields."""
    from courses.models import Quiz, QuizDraw, QuizQuestion

    fields.setdefault("shuffle_questions", False)
    quiz = Quiz(title=title, **fields)
    quiz.fixed_questions = [QuizQuestion(question=q, sort_order=i) for i, q in enumerate(questions)]
    quiz.draws = [QuizDraw(sort_order=i, **d) for i, d in enumerate(draws)]
    quiz.save()
    return quiz


# --- Certification ---------------------------------------------------------------------------


def make_skill(code="AC-SPLIT-INSTALL", *, name="分体式空调安装", product_line="AC", **fields):
    """A skill; ``licences`` are licence type codes it requires (seeded by migration)."""
    from certification.models import LicenceType, Skill
    from portal.models import ProductLine

    licences = fields.pop("licences", [])
    fields.setdefault("max_level", 3)
    skill = Skill.objects.create(
        code=code, name=name, product_line=ProductLine.objects.get(code=product_line), **fields
    )
    skill.required_licence_types.set(LicenceType.objects.filter(code__in=licences))
    return skill


def make_programme(skill, *, level=1, quizzes=(), courses=(), **fields):
    """A programme; ``quizzes`` are (quiz, min_score) or (quiz, min_score, within_months)."""
    from certification.models import Programme, ProgrammeQuiz

    programme = Programme.objects.create(skill=skill, level=level, **fields)
    for quiz, min_score, *months in quizzes:
        ProgrammeQuiz.objects.create(
            programme=programme,
            quiz=quiz,
            min_score=min_score,
            within_months=months[0] if months else 12,
        )
    programme.required_courses.set(courses)
    return programme


def make_certification(user, programme, *, issued_at, expires_at=None, **fields):
    """A certification recorded directly (as an import would), with its ``issued`` event."""
    from certification.services import certification_record

    certification = certification_record(
        user=user,
        programme=programme,
        issued_at=issued_at,
        expires_at=expires_at,
        evidence={"imported": fields.pop("note", f"test-{issued_at.isoformat()}")},
    )
    if fields:
        type(certification).objects.filter(pk=certification.pk).update(**fields)
        certification.refresh_from_db()
    return certification


def make_licence(
    user, type_code, *, issued_on, expires_on, next_review_on=None, verified=True, number=None
):
    import datetime as dt

    from django.utils import timezone

    from certification.models import Licence, LicenceType

    return Licence.objects.create(
        user=user,
        licence_type=LicenceType.objects.get(code=type_code),
        number=number or f"T{user.pk:04d}-{type_code}",
        issuing_authority="上海市应急管理局",
        issued_on=issued_on,
        expires_on=expires_on,
        next_review_on=next_review_on or issued_on + dt.timedelta(days=3 * 365),
        verified_at=timezone.now() if verified else None,
    )


def make_graded_attempt(user, quiz, *, score, at):
    """A graded quiz attempt, as the quiz engine leaves it (without sending the signal)."""
    from decimal import Decimal

    from courses.models import AttemptStatus, QuizAttempt

    return QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        status=AttemptStatus.SUBMITTED,
        started_at=at,
        submitted_at=at,
        graded_at=at,
        score=Decimal(score),
        passed=Decimal(score) >= quiz.pass_mark,
        pass_mark=quiz.pass_mark,
    )
