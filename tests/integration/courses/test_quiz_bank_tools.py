"""Trainer tools of the quiz engine: statistics on a hand-made dataset, XLSX import and export
of questions with per-row errors, and the admin pages behind them."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from courses.models import AttemptStatus, Question, QuestionType, QuizAttempt
from courses.quiz.spreadsheet import questions_export, questions_import
from courses.quiz.statistics import quiz_statistics, quiz_statistics_export
from portal.roles import Role
from tests.factories import StaffFactory, make_question, make_quiz


def _attempt(user, quiz, marks: dict[int, float], minutes: int, pass_mark=50):
    """A graded attempt whose question ``qid`` earned ``marks[qid]``."""
    key = {f"q{i}": {"type": "true_false", "question_id": qid} for i, qid in enumerate(marks)}
    results = {f"q{i}": mark for i, mark in enumerate(marks.values())}
    score = round(100 * sum(marks.values()) / len(marks), 2)
    start = timezone.now() - timezone.timedelta(hours=1)
    return QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        status=AttemptStatus.SUBMITTED,
        started_at=start,
        submitted_at=start + timezone.timedelta(minutes=minutes),
        graded_at=start,
        score=score,
        passed=score >= pass_mark,
        pass_mark=pass_mark,
        answer_key=key,
        results=results,
    )


def test_statistics_of_a_hand_made_dataset(db):
    easy = make_question("人人都会", kind="true_false")
    hard = make_question("没人会", kind="true_false")
    sharp = make_question("区分高低", kind="true_false")
    quiz = make_quiz("统计测验", questions=[easy, hard, sharp])
    people = [StaffFactory(employee_no=f"S{n}").user for n in range(6)]
    # Scores: 66.67, 66.67, 66.67, 33.33, 33.33, 33.33 → top three know `sharp`.
    for person in people[:3]:
        _attempt(person, quiz, {easy.pk: 1, hard.pk: 0, sharp.pk: 1}, minutes=10)
    for person in people[3:]:
        _attempt(person, quiz, {easy.pk: 1, hard.pk: 0, sharp.pk: 0}, minutes=20)
    QuizAttempt.objects.create(  # running attempts do not count
        user=people[0], quiz=quiz, started_at=timezone.now(), pass_mark=50
    )

    stats = quiz_statistics(quiz=quiz)

    assert stats.attempts == 6
    assert stats.passed == 3 and stats.pass_rate == 0.5
    assert stats.average_score == pytest.approx(50.0)
    assert stats.average_duration_seconds == 15 * 60
    by_id = {q.question_id: q for q in stats.questions}
    assert by_id[easy.pk].facility == 1.0 and by_id[easy.pk].flag == "everyone_right"
    assert by_id[hard.pk].facility == 0.0 and by_id[hard.pk].flag == "everyone_wrong"
    assert by_id[sharp.pk].facility == 0.5 and by_id[sharp.pk].flag == ""
    assert by_id[sharp.pk].discrimination == 1.0
    assert by_id[easy.pk].discrimination == 0.0
    assert by_id[sharp.pk].attempts == 6

    sheet = load_workbook(io.BytesIO(quiz_statistics_export(stats=stats))).worksheets[1]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("题目", "答题次数", "难度系数（答对率）")
    notes = {row[0]: row[4] for row in rows[1:]}
    assert notes == {"没人会": "所有人都答错", "区分高低": None, "人人都会": "所有人都答对"}
    # The flagged rows are filled in the sheet, the others are not.
    filled = {
        row[0].value: row[0].fill.fgColor.rgb.endswith("FDECEA") for row in sheet.iter_rows(2)
    }
    assert filled == {"没人会": True, "区分高低": False, "人人都会": True}


def test_statistics_page_highlights_questions_everyone_passes_or_fails(client, db):
    easy = make_question("人人都会", kind="true_false")
    sharp = make_question("区分高低", kind="true_false")
    quiz = make_quiz("统计页面", questions=[easy, sharp])
    for n, mark in enumerate([1, 0, 1]):
        _attempt(StaffFactory(employee_no=f"P{n}").user, quiz, {easy.pk: 1, sharp.pk: mark}, 5)
    trainer = StaffFactory(employee_no="T6", outlet=None, roles=[Role.TRAINER]).user
    client.force_login(trainer)

    page = client.get(reverse("quiz-tools:statistics", args=[quiz.pk])).content.decode()

    assert 'data-flag="everyone_right"><td>人人都会</td>' in page
    assert 'data-flag=""><td>区分高低</td>' in page
    assert "所有人都答对" in page


def _xlsx(rows, headers=("编码", "题型", "分类", "题干", "选项", "答案", "标签", "难度", "解析")):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_AND_BAD = [
    ("Q1", "单选", "冷媒安全", "R32属于哪类冷媒？", "不可燃\n弱可燃\n剧毒", "B", "R32", 2, "A2L"),
    ("Q2", "判断", "冷媒安全", "可以直接排放R290。", "", "错", "R290", 1, ""),
    ("Q3", "填空", "安装", "抽真空用____。", "", "真空泵|vacuum pump", "", 1, ""),
    ("Q4", "排序", "安装", "安装顺序", "定位|打孔|挂机", "", "", 2, ""),
    ("Q5", "多选", "安装", "抽真空前检查", "油位\n表阀\n冷媒瓶", "A,B", "", 3, ""),
    ("Q6", "问答", "安装", "未知题型", "", "", "", 1, ""),
    ("Q7", "单选", "", "", "只有一个", "C", "", 5, ""),
    ("Q8", "判断", "安装", "说法", "", "也许", "", 1, ""),
    ("Q9", "单选", "安装", "两个答案", "甲\n乙\n丙", "A,B", "", 1, ""),
    ("Q1", "单选", "安装", "重复编码", "甲\n乙", "A", "", 1, ""),
]


def test_xlsx_import_reports_errors_per_row_in_chinese_and_imports_the_rest(db):
    report = questions_import(content=_xlsx(GOOD_AND_BAD), filename="bank.xlsx")

    errors = {row.row: "；".join(row.errors) for row in report.error_rows}
    assert set(errors) == {2, 7, 8, 9, 10, 11}
    assert "编码 Q1 在本文件中出现了不止一次" in errors[2]
    assert "未知题型：问答" in errors[7]
    assert all(m in errors[8] for m in ("题干不能为空", "分类不能为空", "难度须为 1、2 或 3"))
    assert "至少需要两个选项" in errors[8] and "选项 C 不存在" in errors[8]
    assert "判断题的答案须为“对”或“错”" in errors[9]
    assert "单选题必须有且只有一个正确选项" in errors[10]
    assert report.counts == {"error": 6, "created": 4}
    assert set(Question.objects.values_list("code", flat=True)) == {"Q2", "Q3", "Q4", "Q5"}
    order = Question.objects.get(code="Q4")
    assert [c.text for c in order.choices.order_by("sort_order")] == ["定位", "打孔", "挂机"]
    fill = Question.objects.get(code="Q3")
    assert fill.accepted_answer_list() == ["真空泵", "vacuum pump"]
    assert [c.is_correct for c in Question.objects.get(code="Q5").choices.all()] == [
        True,
        True,
        False,
    ]
    assert Question.objects.get(code="Q2").tags.names()[0] == "R290"


def test_xlsx_export_reads_back_and_updates_by_code(db):
    make_question("R290是否可燃？", kind=QuestionType.TRUE_FALSE, true_false_answer=True, code="E1")
    make_question(
        "选择正确的",
        choices=[("甲", False), ("乙", True)],
        code="E2",
        explanation="乙是对的",
        tags=["安全"],
    )
    content = questions_export(questions=Question.objects.order_by("pk"))
    report = questions_import(content=content, filename="export.xlsx", dry_run=True)
    assert report.ok and report.counts == {"will_update": 2}
    report = questions_import(content=content, filename="export.xlsx")
    assert report.counts == {"updated": 2}
    assert Question.objects.count() == 2
    assert Question.objects.get(code="E2").choices.get(is_correct=True).text == "乙"


def test_import_questions_command_fails_with_row_errors(db, tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(_xlsx(GOOD_AND_BAD[5:7]))
    with pytest.raises(CommandError):
        call_command("import_questions", str(path))
    path.write_bytes(_xlsx(GOOD_AND_BAD[:2]))
    call_command("import_questions", str(path))
    assert Question.objects.count() == 2


def test_trainer_uploads_questions_and_sees_statistics_in_the_admin(client, two_regions):
    trainer = StaffFactory(employee_no="T9", outlet=None, roles=[Role.TRAINER]).user
    client.force_login(trainer)
    upload = io.BytesIO(_xlsx(GOOD_AND_BAD[5:7] + GOOD_AND_BAD[:1]))
    upload.name = "bank.xlsx"
    response = client.post(reverse("quiz-tools:questions"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "未知题型：问答" in page and "题干不能为空" in page
    assert Question.objects.filter(code="Q1").exists()
    quiz = make_quiz("后台统计", questions=list(Question.objects.all()))
    assert client.get(reverse("quiz-tools:statistics", args=[quiz.pk])).status_code == 200
    export = client.get(reverse("quiz-tools:statistics", args=[quiz.pk]) + "?format=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("wagtailsnippets_courses_question:list")).status_code == 200
    assert client.get(reverse("wagtailsnippets_courses_quiz:add")).status_code == 200
    technician = two_regions["sh_tech"].user
    client.force_login(technician)
    assert client.get(reverse("quiz-tools:questions")).status_code in (302, 403)


def _question_post(category, kind, choices, **extra):
    data = {
        "question_type": kind,
        "stem": '{"blocks":[{"key":"a","text":"题干","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "category": category.pk,
        "difficulty": 2,
        "true_false_answer": "on",
        "accepted_answers": extra.pop("accepted_answers", ""),
        "explanation": "",
        "code": "",
        "tags": "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for i, (text, correct) in enumerate(choices):
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-ORDER"] = i + 1
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


def test_trainer_cannot_save_a_single_choice_question_with_two_right_answers(client, db):
    from courses.models import QuestionCategory

    trainer = StaffFactory(employee_no="T8", outlet=None, roles=[Role.TRAINER]).user
    client.force_login(trainer)
    category = QuestionCategory.objects.create(name="冷媒安全")
    url = reverse("wagtailsnippets_courses_question:add")
    bad = client.post(url, _question_post(category, "single", [("甲", True), ("乙", True)]))
    assert bad.status_code == 200
    assert "单选题必须有且只有一个正确选项" in bad.content.decode()
    assert not Question.objects.exists()
    good = client.post(url, _question_post(category, "single", [("甲", True), ("乙", False)]))
    assert good.status_code == 302
    question = Question.objects.get()
    assert question.choices.count() == 2 and question.latest_revision is not None


def _quiz_post(title, draws, fixed=()):
    data = {
        "title": title,
        "description": "",
        "pass_mark": 80,
        "time_limit_minutes": "",
        "attempts_allowed": 0,
        "cooldown_minutes": 0,
        "layout": "all",
        "review_policy": 1,
        "fixed_questions-TOTAL_FORMS": len(fixed),
        "fixed_questions-INITIAL_FORMS": 0,
        "fixed_questions-MIN_NUM_FORMS": 0,
        "fixed_questions-MAX_NUM_FORMS": 1000,
        "draws-TOTAL_FORMS": len(draws),
        "draws-INITIAL_FORMS": 0,
        "draws-MIN_NUM_FORMS": 0,
        "draws-MAX_NUM_FORMS": 1000,
    }
    for i, question in enumerate(fixed):
        data[f"fixed_questions-{i}-question"] = question.pk
        data[f"fixed_questions-{i}-ORDER"] = i + 1
    for i, (category, count, tags, difficulty) in enumerate(draws):
        data[f"draws-{i}-category"] = category.pk
        data[f"draws-{i}-count"] = count
        data[f"draws-{i}-tags"] = tags
        data[f"draws-{i}-difficulty"] = difficulty or ""
        data[f"draws-{i}-ORDER"] = i + 1
    return data


def test_trainer_cannot_save_a_random_draw_the_bank_cannot_fill(client, db):
    from courses.models import QuestionCategory, Quiz

    trainer = StaffFactory(employee_no="T7", outlet=None, roles=[Role.TRAINER]).user
    client.force_login(trainer)
    r32 = [
        make_question(f"R32题{n}", category="冷媒安全", tags=["R32"], kind="true_false")
        for n in range(3)
    ]
    make_question("R32难题", category="冷媒安全", tags=["R32"], difficulty=3, kind="true_false")
    category = QuestionCategory.objects.get(name="冷媒安全")
    url = reverse("wagtailsnippets_courses_quiz:add")

    # Three medium R32 questions, one of them already a fixed question: two left to draw.
    too_many = client.post(url, _quiz_post("抽题过多", [(category, 3, "R32", 2)], fixed=r32[:1]))
    assert too_many.status_code == 200
    assert "题库中只有 2 道题符合此抽题条件，本次需要 3 道。" in too_many.content.decode()
    # Two draws over the same questions ask for four different ones where there are three.
    overlapping = client.post(
        url, _quiz_post("抽题重叠", [(category, 2, "R32", 2), (category, 2, "", 2)])
    )
    assert "随机抽题共需 4 道不同的题目，但符合条件的只有 3 道。" in overlapping.content.decode()
    assert not Quiz.objects.exists()

    fits = client.post(url, _quiz_post("抽题正好", [(category, 2, "R32", 2)], fixed=r32[:1]))
    assert fits.status_code == 302
    assert Quiz.objects.get().draws.get().count == 2
