"""A technician takes a timed exam on a phone, loses the connection mid-way, reloads and finds
their answers saved, submits, and sees only what the review policy allows."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import AttemptStatus, QuizAttempt, ReviewPolicy
from tests.factories import StaffFactory, make_course, make_question, make_quiz

EXPLANATION = "R32是A2L弱可燃冷媒，作业时须远离明火。"


@pytest.fixture
def exam_lesson(two_regions):
    single = make_question(
        "R32冷媒的安全分类是？",
        choices=[("A1（不可燃）", False), ("A2L（弱可燃）", True), ("B1（有毒）", False)],
        explanation=EXPLANATION,
    )
    true_false = make_question(
        "维修时可以把冷媒直接排放到大气中。", kind="true_false", true_false_answer=False
    )
    fill_in = make_question(
        "抽真空使用的专用设备叫____。", kind="fill_in", accepted_answers="真空泵"
    )
    quiz = make_quiz(
        "家用空调安装上岗考试",
        questions=[single, true_false, fill_in],
        pass_mark=80,
        time_limit_minutes=30,
        attempts_allowed=3,
        review_policy=ReviewPolicy.SCORE,
    )
    course = make_course("分体式空调安装", lessons=1)
    lesson = course.get_children().first().specific
    lesson.body = [("quiz", {"quiz": quiz, "intro": "通过考试即完成本课时。"})]
    lesson.save_revision().publish()
    StaffFactory(employee_no="J7001", name="李强", outlet=two_regions["sh"])
    return lesson


def test_technician_resumes_a_timed_exam_after_losing_connection(live_server, page, exam_lesson):
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("J7001")
    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()

    page.goto(live_server.url + exam_lesson.url)
    expect(page.get_by_test_id("quiz-block")).to_contain_text("家用空调安装上岗考试")
    page.get_by_test_id("start-quiz").click()

    expect(page.locator("h1")).to_have_text("家用空调安装上岗考试")
    expect(page.get_by_test_id("timer")).to_have_text(re.compile(r"^(29|30):\d\d$"))
    page.get_by_label("A2L（弱可燃）").check()
    expect(page.get_by_test_id("save-status")).to_contain_text("答案已保存")

    page.context.set_offline(True)  # the phone loses its connection mid-way
    page.get_by_label("错误").check()
    expect(page.get_by_test_id("save-status")).to_contain_text("尚未保存")
    page.context.set_offline(False)
    expect(page.get_by_test_id("save-status")).to_contain_text("答案已保存", timeout=15_000)

    page.reload()
    expect(page.get_by_label("A2L（弱可燃）")).to_be_checked()
    expect(page.get_by_label("错误")).to_be_checked()
    page.get_by_label("你的答案").fill("真空泵")
    page.get_by_test_id("submit-quiz").click()

    expect(page.get_by_test_id("score")).to_have_text("100")
    expect(page.get_by_test_id("verdict")).to_contain_text("通过")
    content = page.content()
    assert "正确答案" not in content and EXPLANATION not in content
    expect(page.get_by_test_id("review-item")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    attempt = QuizAttempt.objects.get()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.passed
    assert attempt.ip == "127.0.0.1" and attempt.user_agent
