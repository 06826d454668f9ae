"""A trainer builds an exam in the Wagtail admin from a random draw of the question bank (a
category filtered by tag and difficulty), with pass mark, time limit, attempts and review
policy; a technician then starts it, gets exactly that many questions, all from the draw, and
passes; the trainer sees the attempt in the quiz's statistics and exports them."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import Quiz, QuizAttempt, ReviewPolicy
from portal.roles import Role
from tests.factories import StaffFactory, make_course, make_question

PASSWORD = "pw-for-tests"


def sign_in(page, base, employee_no):
    page.goto(base + "/login/")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1.greeting")).to_be_visible()


@pytest.fixture
def bank(db):
    """Five medium R32 questions match the draw; hard ones, untagged ones and another
    category's questions must never be drawn."""
    matching = [
        make_question(
            stem,
            category="冷媒安全",
            tags=["R32"],
            difficulty=2,
            choices=[("正确做法", True), ("错误做法", False)],
        )
        for stem in (
            "R32冷媒充注时应使用哪种方式？",
            "R32系统焊接前必须先做什么？",
            "R32冷媒泄漏后室内首先应怎样处理？",
            "R32机组的维修工具有什么特殊要求？",
            "R32冷媒钢瓶应如何存放？",
        )
    ]
    excluded = [
        make_question(
            "R32系统检漏的最高试压压力是多少？",
            category="冷媒安全",
            tags=["R32"],
            difficulty=3,
            choices=[("4.15 MPa", True), ("1 MPa", False)],
        ),
        make_question(
            "R410A冷媒的安全分类是？",
            category="冷媒安全",
            tags=["R410A"],
            difficulty=2,
            choices=[("A1", True), ("A3", False)],
        ),
        make_question(
            "上门服务前应提前多久与用户确认时间？",
            category="服务礼仪",
            tags=["R32"],
            difficulty=2,
            choices=[("提前联系", True), ("不必联系", False)],
        ),
    ]
    return {"matching": matching, "excluded": excluded}


@pytest.fixture
def people(two_regions):
    trainer = StaffFactory(employee_no="T-BUILD", name="刘芳", outlet=None, roles=[Role.TRAINER])
    technician = StaffFactory(employee_no="J7101", name="李强", outlet=two_regions["sh"])
    return trainer, technician


def test_trainer_builds_an_exam_with_a_random_draw_and_a_technician_gets_that_draw(
    live_server, desktop_page, bank, people
):
    page = desktop_page
    sign_in(page, live_server.url, "T-BUILD")

    # Through the admin menu: 题库 → 测验 → add.
    page.goto(live_server.url + "/admin/")
    page.get_by_role("button", name="题库").click()
    page.get_by_role("link", name="测验", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/courses/quiz/$"))
    page.get_by_role("link", name=re.compile("添加")).first.click()

    page.locator("#id_title").fill("R32冷媒安全上岗考试")
    page.locator("#id_description").fill("从冷媒安全题库随机抽取4道中等难度的R32题目。")

    page.locator("#id_draws-ADD").click()
    draw = page.locator("#inline_child_draws-0")
    draw.locator("[data-chooser-action-choose]").first.click()
    modal = page.locator(".modal-dialog")
    expect(modal).to_be_visible()
    modal.get_by_role("link", name="冷媒安全").click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_draws-0-category-title")).to_have_text("冷媒安全")
    page.locator("#id_draws-0-count").fill("4")
    page.locator("#id_draws-0-tags").fill("R32")
    page.locator("#id_draws-0-difficulty").select_option(label="中等")

    page.locator("#id_pass_mark").fill("75")
    page.locator("#id_time_limit_minutes").fill("20")
    page.locator("#id_attempts_allowed").fill("2")
    page.locator("#id_review_policy").select_option(label="正确答案和解析")
    page.get_by_label("通过后才显示正确答案").check()
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator(".messages")).to_contain_text("R32冷媒安全上岗考试")

    quiz = Quiz.objects.get(title="R32冷媒安全上岗考试")
    assert (quiz.pass_mark, quiz.time_limit_minutes, quiz.attempts_allowed) == (75, 20, 2)
    assert quiz.review_policy == ReviewPolicy.EXPLANATIONS and quiz.answers_only_after_passing
    (saved_draw,) = quiz.draws.all()
    assert (saved_draw.category.name, saved_draw.count) == ("冷媒安全", 4)
    assert (saved_draw.tag_list(), saved_draw.difficulty) == (["R32"], 2)
    assert quiz.latest_revision is not None, "saving in the admin keeps a revision"
    page.context.clear_cookies()

    # Placing a quiz in a lesson is the page editor's quiz block (reviewed with the lesson);
    # here the lesson already holds it, so the journey continues with the learner.
    course = make_course("冷媒安全", lessons=1)
    lesson = course.get_children().first().specific
    lesson.body = [("quiz", {"quiz": quiz, "intro": "通过后方可上岗。"})]
    lesson.save_revision().publish()

    sign_in(page, live_server.url, "J7101")
    page.goto(live_server.url + lesson.url)
    block = page.get_by_test_id("quiz-block")
    expect(block).to_contain_text("及格线：75%")
    page.get_by_test_id("start-quiz").click()
    expect(page.get_by_test_id("timer")).to_have_text(re.compile(r"^(19|20):\d\d$"))
    questions = page.get_by_test_id("question")
    expect(questions).to_have_count(4)

    shown = " ".join(questions.all_inner_texts())
    drawn = [q for q in bank["matching"] if q.stem[3:-4] in shown]
    assert len(drawn) == 4, shown
    for question in bank["excluded"]:
        assert question.stem[3:-4] not in shown

    attempt = QuizAttempt.objects.get(quiz=quiz)
    assert sorted(e["question_id"] for e in attempt.snapshot) == sorted(q.pk for q in drawn)
    assert attempt.pass_mark == 75

    # The technician answers every drawn question right, hands in and, having passed, sees
    # the correct answers as the trainer's review policy allows.
    for n in range(4):
        questions.nth(n).get_by_label("正确做法").check()
    page.get_by_test_id("submit-quiz").click()
    expect(page.get_by_test_id("score")).to_have_text("100")
    expect(page.get_by_test_id("correct-answer")).to_have_count(4)
    page.context.clear_cookies()

    # The trainer finds the attempt in the quiz's statistics and exports them.
    sign_in(page, live_server.url, "T-BUILD")
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="测验统计").click()
    page.get_by_role("link", name="R32冷媒安全上岗考试").click()
    expect(page.get_by_test_id("quiz-stats")).to_contain_text("100%")
    expect(page.locator("table.listing tbody tr")).to_have_count(4)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出（XLSX）").click()
    assert download.value.suggested_filename == f"quiz-{quiz.pk}-stats.xlsx"
