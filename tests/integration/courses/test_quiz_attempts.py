"""Attempts graded only on the server: snapshot, deadline, limits, idempotent submit,
tampered posts, and the answer key never reaching the browser before submission."""

import datetime as dt
import json
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.exceptions import AnswersRefused, AttemptNotFound, QuizAttemptRefused
from courses.models import AttemptStatus, Enrolment, LessonProgress, QuizAttempt
from courses.quiz.selectors import quiz_summary_for
from courses.quiz.services import (
    attempt_expire_overdue,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
)
from courses.signals import quiz_attempt_graded
from courses.tasks import expire_overdue_attempts
from tests.factories import make_course, make_question, make_quiz

SECRET_EXPLANATION = "解释-只能交卷后看到-7Q"


@pytest.fixture
def learner(two_regions):
    return two_regions["sh_tech"].user


@pytest.fixture
def other_learner(two_regions):
    return two_regions["hz_tech"].user


@pytest.fixture
def bank(db):
    return {
        "single": make_question(
            "R32冷媒属于哪一类？",
            choices=[("不可燃", False), ("弱可燃（A2L）", True), ("有毒", False)],
            explanation=SECRET_EXPLANATION,
        ),
        "multiple": make_question(
            "抽真空前要确认哪些事项？",
            kind="multiple",
            choices=[("真空泵油位", True), ("歧管表归零", True), ("打开冷媒瓶", False)],
            partial_credit=True,
        ),
        "tf": make_question(
            "R290可以直接排放到大气中。", kind="true_false", true_false_answer=False
        ),
        "fill": make_question(
            "抽真空使用的设备是____。", kind="fill_in", accepted_answers="真空抽气泵\nvacuum pump"
        ),
        "order": make_question(
            "安装步骤排序",
            kind="ordering",
            choices=[("固定支架", False), ("连接配管", False), ("抽真空", False), ("试机", False)],
        ),
    }


@pytest.fixture
def quiz(bank):
    return make_quiz("安装测验", questions=list(bank.values()), pass_mark=60, review_policy=4)


def key_answers(attempt, *, right=True):
    """Answers made from the attempt's key: all right, or all wrong."""
    answers = {}
    for entry in attempt.snapshot:
        key = attempt.answer_key[entry["key"]]
        tokens = [o["token"] for o in entry["options"]]
        kind = key["type"]
        if kind == "single":
            wrong = [t for t in tokens if t not in key["correct"]]
            answers[entry["key"]] = key["correct"][0] if right else wrong[0]
        elif kind == "multiple":
            answers[entry["key"]] = (
                key["correct"] if right else [t for t in tokens if t not in key["correct"]]
            )
        elif kind == "true_false":
            answers[entry["key"]] = (
                ("true" if key["correct"] else "false")
                if right
                else ("false" if key["correct"] else "true")
            )
        elif kind == "fill_in":
            answers[entry["key"]] = "Ｖacuum Pump" if right else "氮气"
        else:
            answers[entry["key"]] = key["correct"] if right else list(reversed(key["correct"]))
    return answers


@pytest.fixture
def quiz_log():
    """What the quiz engine logged (pytest's caplog is off in the project's test command)."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Collect(level=logging.INFO)
    logger = logging.getLogger("courses.quiz")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


@pytest.fixture
def graded_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    quiz_attempt_graded.connect(receiver)
    yield received
    quiz_attempt_graded.disconnect(receiver)


def test_take_page_and_autosave_json_never_contain_the_answer_key(client, learner, quiz):
    client.force_login(learner)
    response = client.post(reverse("courses:quiz_start", args=[quiz.pk]))
    attempt = QuizAttempt.objects.get(user=learner, quiz=quiz)
    assert response.url == reverse("courses:quiz_take", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    saved = client.post(
        reverse("courses:quiz_save", args=[attempt.pk]),
        data=json.dumps({"answers": {"q1": None}}),
        content_type="application/json",
    )
    assert saved.status_code == 200
    for body in (page, saved.content.decode()):
        assert "correct" not in body.lower()
        assert "is_correct" not in body
        assert SECRET_EXPLANATION not in body
        assert "真空抽气泵" not in body  # the accepted fill-in answer
        assert "answer_key" not in body
    # The ordering question is never shown in its correct order.
    order_entry = next(e for e in attempt.snapshot if e["type"] == "ordering")
    shown = [o["token"] for o in order_entry["options"]]
    assert shown != attempt.answer_key[order_entry["key"]]["correct"]
    # Every option is on the page, but nothing marks which ones are right.
    for entry in attempt.snapshot:
        for option in entry["options"]:
            assert f'value="{option["token"]}"' in page


def test_all_right_scores_100_and_sends_graded_signal_once(
    learner, quiz, graded_signals, django_capture_on_commit_callbacks
):
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_save_answers(attempt_id=attempt.pk, user=learner, answers=key_answers(attempt))
    with django_capture_on_commit_callbacks(execute=True):
        graded, first = attempt_submit(attempt_id=attempt.pk, user=learner)
        again, second = attempt_submit(attempt_id=attempt.pk, user=learner)
    assert first and not second
    assert graded.score == 100 and graded.passed and graded.status == AttemptStatus.SUBMITTED
    assert again.graded_at == graded.graded_at
    assert len(graded_signals) == 1
    assert graded_signals[0]["passed"] is True and graded_signals[0]["score"] == 100


def test_submitting_twice_over_http_grades_once(
    client, learner, quiz, graded_signals, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    client.post(reverse("courses:quiz_start", args=[quiz.pk]))
    attempt = QuizAttempt.objects.get(user=learner, quiz=quiz)
    url = reverse("courses:quiz_submit", args=[attempt.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    attempt.refresh_from_db()
    graded_at = attempt.graded_at
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url)
    attempt.refresh_from_db()
    assert first.status_code == second.status_code == 302
    assert attempt.graded_at == graded_at
    assert len(graded_signals) == 1


def test_expiry_and_submit_racing_grade_once(
    learner, quiz, graded_signals, django_capture_on_commit_callbacks
):
    attempt = attempt_start(user=learner, quiz=quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert attempt_expire_overdue() == 1
        _graded, graded_now = attempt_submit(attempt_id=attempt.pk, user=learner)
        assert attempt_expire_overdue() == 0
    assert not graded_now
    assert len(graded_signals) == 1


def test_answers_after_deadline_and_grace_are_refused_and_attempt_is_closed_by_beat(learner, bank):
    quiz = make_quiz("限时测验", questions=[bank["single"]], time_limit_minutes=10)
    attempt = attempt_start(user=learner, quiz=quiz)
    assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=10)
    right = key_answers(attempt)
    in_grace = attempt.deadline + dt.timedelta(seconds=20)
    attempt_save_answers(attempt_id=attempt.pk, user=learner, answers={}, now=in_grace)
    too_late = attempt.deadline + dt.timedelta(seconds=31)
    with pytest.raises(AnswersRefused):
        attempt_save_answers(attempt_id=attempt.pk, user=learner, answers=right, now=too_late)
    attempt.refresh_from_db()
    assert attempt.answers == {}
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=11),
        deadline=timezone.now() - dt.timedelta(minutes=1),
    )
    assert expire_overdue_attempts.delay().get() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == 0 and attempt.passed is False
    assert attempt.submitted_at == attempt.deadline


def test_take_page_shows_remaining_time_computed_by_the_server(client, learner, bank):
    quiz = make_quiz("限时测验", questions=[bank["single"]], time_limit_minutes=30)
    attempt = attempt_start(user=learner, quiz=quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + dt.timedelta(minutes=12, seconds=5)
    )
    client.force_login(learner)
    page = client.get(reverse("courses:quiz_take", args=[attempt.pk])).content.decode()
    assert 'data-remaining="72' in page  # 725 or 724 seconds, from the stored deadline
    assert "剩余时间" in page


def test_attempt_limit_holds_across_unenrolment_and_reenrolment(client, learner, bank):
    from wagtail.rich_text import RichText

    quiz = make_quiz("限次测验", questions=[bank["tf"]], attempts_allowed=1)
    course = make_course("制冷剂安全", lessons=1)
    lesson = course.get_children().first().specific
    lesson.body = [("quiz", {"quiz": quiz, "intro": ""}), ("rich_text", RichText("<p>x</p>"))]
    lesson.save_revision().publish()
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt_id=attempt.pk, user=learner)
    Enrolment.objects.filter(user=learner, course=course).delete()
    client.post(reverse("courses:enrol", args=[course.pk]))
    assert Enrolment.objects.filter(user=learner, course=course).exists()
    with pytest.raises(QuizAttemptRefused) as refused:
        attempt_start(user=learner, quiz=quiz)
    assert "1 次" in refused.value.message
    response = client.post(reverse("courses:quiz_start", args=[quiz.pk]), follow=True)
    assert "您已用完本测验允许的 1 次答题机会" in response.content.decode()
    assert QuizAttempt.objects.filter(user=learner, quiz=quiz).count() == 1


def test_cooldown_refuses_a_new_attempt_until_it_has_passed(learner, bank):
    quiz = make_quiz("冷却测验", questions=[bank["tf"]], cooldown_minutes=60)
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt_id=attempt.pk, user=learner)
    with pytest.raises(QuizAttemptRefused) as refused:
        attempt_start(user=learner, quiz=quiz)
    assert "之后再试" in refused.value.message
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        submitted_at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert attempt_start(user=learner, quiz=quiz).pk != attempt.pk


def test_starting_again_resumes_the_running_attempt(learner, quiz):
    first = attempt_start(user=learner, quiz=quiz)
    assert attempt_start(user=learner, quiz=quiz).pk == first.pk


def test_editing_the_bank_after_starting_does_not_change_grading(learner, bank, quiz):
    attempt = attempt_start(user=learner, quiz=quiz)
    answers = key_answers(attempt)
    single = bank["single"]
    for choice in single.choices.all():  # the trainer flips the right answer
        choice.is_correct = not choice.is_correct
        choice.save()
    bank["fill"].accepted_answers = "氮气"
    bank["fill"].save()
    bank["tf"].true_false_answer = True
    bank["tf"].save()
    for n, step in enumerate(bank["order"].choices.order_by("-sort_order")):
        step.sort_order = n
        step.save()
    attempt_save_answers(attempt_id=attempt.pk, user=learner, answers=answers)
    graded, _ = attempt_submit(attempt_id=attempt.pk, user=learner)
    assert graded.score == 100


def test_tampered_posts_are_refused_logged_and_change_nothing(
    client, learner, other_learner, quiz, quiz_log
):
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_save_answers(attempt_id=attempt.pk, user=learner, answers={"q2": []})
    attempt.refresh_from_db()
    before = (attempt.answers, attempt.last_saved_at, attempt.status)
    single = next(e for e in attempt.snapshot if e["type"] == "single")
    client.force_login(learner)
    url = reverse("courses:quiz_save", args=[attempt.pk])
    unknown_question = client.post(
        url, data=json.dumps({"answers": {"q99": "x"}}), content_type="application/json"
    )
    unknown_option = client.post(
        url,
        data=json.dumps({"answers": {single["key"]: "not-a-token"}}),
        content_type="application/json",
    )
    score_post = client.post(
        url, data=json.dumps({"answers": {"score": 100}}), content_type="application/json"
    )
    form_post = client.post(reverse("courses:quiz_submit", args=[attempt.pk]), data={"q42": "x"})
    assert unknown_question.status_code == unknown_option.status_code == 409
    assert score_post.status_code == 409
    assert "不存在的题目或选项" in unknown_question.json()["message"]
    assert form_post.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.answers, attempt.last_saved_at, attempt.status) == before
    assert sum("answers refused" in message for message in quiz_log) >= 3

    client.force_login(other_learner)
    quiz_log.clear()
    foreign = client.post(url, data=json.dumps({"answers": {}}), content_type="application/json")
    foreign_submit = client.post(reverse("courses:quiz_submit", args=[attempt.pk]))
    foreign_take = client.get(reverse("courses:quiz_take", args=[attempt.pk]))
    assert foreign.status_code == foreign_submit.status_code == foreign_take.status_code == 404
    # Each request for someone else's attempt is logged, not only the service call below.
    assert sum("foreign attempt" in message for message in quiz_log) == 3
    with pytest.raises(AttemptNotFound):
        attempt_submit(attempt_id=attempt.pk, user=other_learner)
    assert any("foreign attempt" in message for message in quiz_log)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.answers == before[0]


def test_review_policy_score_only_hides_answers_and_explanations(client, learner, bank):
    quiz = make_quiz("只看分数", questions=[bank["single"]], review_policy=1)
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt_id=attempt.pk, user=learner)
    client.force_login(learner)
    page = client.get(reverse("courses:quiz_result", args=[attempt.pk])).content.decode()
    assert "得分" in page and "未通过" in page
    assert "正确答案" not in page and SECRET_EXPLANATION not in page
    assert "弱可燃" not in page


def test_correct_answers_only_after_passing(client, learner, bank):
    quiz = make_quiz(
        "通过后看答案",
        questions=[bank["single"]],
        review_policy=4,
        answers_only_after_passing=True,
    )
    client.force_login(learner)
    failed = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt_id=failed.pk, user=learner)
    page = client.get(reverse("courses:quiz_result", args=[failed.pk])).content.decode()
    assert "通过后才显示正确答案" in page and SECRET_EXPLANATION not in page
    passed = attempt_start(user=learner, quiz=quiz)
    attempt_save_answers(attempt_id=passed.pk, user=learner, answers=key_answers(passed))
    attempt_submit(attempt_id=passed.pk, user=learner)
    page = client.get(reverse("courses:quiz_result", args=[passed.pk])).content.decode()
    assert "正确答案" in page and "弱可燃（A2L）" in page and SECRET_EXPLANATION in page


def test_passing_the_quiz_of_a_lesson_completes_that_lesson(
    client, learner, bank, django_capture_on_commit_callbacks
):
    quiz = make_quiz("课后测验", questions=[bank["tf"]], pass_mark=100)
    course = make_course("冷媒回收", lessons=2)
    lesson = course.get_children().first().specific
    lesson.body = [("quiz", {"quiz": quiz, "intro": "学完请测验"})]
    lesson.save_revision().publish()
    client.force_login(learner)
    page = client.get(lesson.url).content.decode()
    assert "开始测验" in page and 'data-testid="complete-lesson"' not in page
    assert client.post(reverse("courses:complete", args=[lesson.pk])).status_code == 302
    assert not LessonProgress.objects.filter(user=learner, lesson=lesson).exists()

    failing = attempt_start(user=learner, quiz=quiz)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=failing.pk, user=learner)
    assert not LessonProgress.objects.filter(user=learner, lesson=lesson).exists()
    passing = attempt_start(user=learner, quiz=quiz)
    attempt_save_answers(attempt_id=passing.pk, user=learner, answers=key_answers(passing))
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=passing.pk, user=learner)
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).exists()
    summary = quiz_summary_for(user=learner, quiz=quiz)
    assert summary.best.pk == passing.pk and summary.passed
    assert "最好成绩" in client.get(lesson.url).content.decode()


def test_random_draw_respects_category_tags_and_difficulty(learner):
    for n in range(6):
        make_question(
            f"安全题{n}", category="冷媒安全", tags=["R290"], difficulty=1, kind="true_false"
        )
    make_question("难题", category="冷媒安全", tags=["R290"], difficulty=3, kind="true_false")
    make_question("别的标签", category="冷媒安全", tags=["R22"], difficulty=1, kind="true_false")
    make_question("别的分类", category="礼仪", tags=["R290"], difficulty=1, kind="true_false")
    from courses.models import QuestionCategory

    quiz = make_quiz(
        "随机测验",
        draws=[
            {
                "category": QuestionCategory.objects.get(name="冷媒安全"),
                "count": 4,
                "tags": "R290",
                "difficulty": 1,
            }
        ],
    )
    attempt = attempt_start(user=learner, quiz=quiz)
    stems = [e["stem"] for e in attempt.snapshot]
    assert len(stems) == 4 and len(set(stems)) == 4
    assert all("安全题" in s for s in stems)


def test_one_question_per_page_saves_each_page_and_moves_on(client, learner, bank):
    quiz = make_quiz("逐题作答", questions=[bank["tf"], bank["fill"]], layout="one")
    attempt = attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    first = client.get(reverse("courses:quiz_take", args=[attempt.pk])).content.decode()
    assert first.count('data-testid="question"') == 1 and "下一题" in first
    assert 'data-testid="submit-quiz"' not in first
    response = client.post(
        reverse("courses:quiz_save", args=[attempt.pk]),
        {"shown": "q1", "q1": "false", "go": "2"},
    )
    assert response.url.endswith("?q=2")
    second = client.get(response.url).content.decode()
    assert "上一题" in second and 'data-testid="submit-quiz"' in second
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), {"shown": "q2", "q2": "真空泵"})
    attempt.refresh_from_db()
    assert attempt.answers == {"q1": "false", "q2": "真空泵"}
    assert attempt.score == 50


def test_starting_an_attempt_reads_the_bank_in_a_fixed_number_of_queries(learner):
    """200 learners start an exam at the same moment: freezing it must not cost one query per
    question (options and images come in bulk)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.models import QuestionCategory

    def choice_question(n):
        return make_question(
            f"安装题{n}",
            category="空调安装",
            choices=[("对", True), ("错", False), ("不知道", False)],
        )

    small = make_quiz("两题", questions=[choice_question(n) for n in range(2)])
    for n in range(2, 12):
        choice_question(n)
    category = QuestionCategory.objects.get(name="空调安装")
    large = make_quiz(
        "十二题",
        questions=[choice_question(n) for n in range(12, 14)],
        draws=[{"category": category, "count": 10}],
    )
    counts = []
    for quiz in (small, large):
        with CaptureQueriesContext(connection) as queries:
            attempt = attempt_start(user=learner, quiz=quiz)
        counts.append(len(queries.captured_queries))
        assert all(len(entry["options"]) == 3 for entry in attempt.snapshot)
    assert len(attempt.snapshot) == 12
    assert counts[1] - counts[0] <= 3, counts  # the draw's own queries, not one per question
