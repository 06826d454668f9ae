"""A technician passes the certification exam on a phone, finds the new certification under
"my certifications" and opens their public verification page, which lists the skill; a
customer scanning the QR sees nothing personal, and a suspended skill is gone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.certificates import verification_card_ensure
from certification.models import CertificateDocument, Certification
from certification.services import certification_suspend
from tests.factories import (
    StaffFactory,
    make_certification,
    make_course,
    make_licence,
    make_programme,
    make_question,
    make_quiz,
    make_skill,
)

DAY = dt.timedelta(days=1)


def verified_height_licence(user):
    today = timezone.localdate()
    return make_licence(
        user,
        "height",
        issued_on=today - 200 * DAY,
        expires_on=today + 2000 * DAY,
        next_review_on=today + 800 * DAY,
    )


@pytest.fixture
def exam_lesson(two_regions):
    quiz = make_quiz(
        "家用空调安装认证考试",
        questions=[
            make_question(
                "R32冷媒的安全分类是？",
                choices=[("A1（不可燃）", False), ("A2L（弱可燃）", True)],
            )
        ],
        pass_mark=80,
    )
    course = make_course("分体式空调安装认证", lessons=1)
    lesson = course.get_children().first().specific
    lesson.body = [("quiz", {"quiz": quiz, "intro": "通过考试即可获得初级认证。"})]
    lesson.save_revision().publish()
    skill = make_skill("AC-SPLIT-INSTALL", name="分体式空调安装", licences=["height"])
    make_programme(skill, level=1, quizzes=[(quiz, 80, 12)], validity_months=24)
    tech = StaffFactory(employee_no="J7101", name="李强", outlet=two_regions["sh"])
    verified_height_licence(tech.user)
    return lesson


def login(page, live_server, employee_no):
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()


def test_technician_passes_the_exam_and_shows_the_new_certification_by_qr(
    live_server, page, exam_lesson
):
    login(page, live_server, "J7101")
    page.goto(live_server.url + exam_lesson.url)
    page.get_by_test_id("start-quiz").click()
    page.get_by_label("A2L（弱可燃）").check()
    expect(page.get_by_test_id("save-status")).to_contain_text("答案已保存")
    page.get_by_test_id("submit-quiz").click()
    expect(page.get_by_test_id("verdict")).to_contain_text("通过")

    # From the menu to "my certifications".
    page.get_by_label("菜单").click()
    page.get_by_role("link", name="我的认证").click()
    certification = page.get_by_test_id("certification")
    expect(certification).to_have_count(1)
    expect(certification).to_contain_text("分体式空调安装")
    expect(certification).to_contain_text("初级")
    expect(certification.get_by_test_id("state")).to_have_text("有效")
    expect(page.get_by_test_id("licence")).to_contain_text("高处作业")
    expect(page.get_by_test_id("my-card").locator("svg")).to_be_visible()  # the QR code
    expect(certification.get_by_test_id("pdf")).to_be_visible()  # generated at issue
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("open-verification").click()
    expect(page.get_by_test_id("technician-name")).to_have_text("李强")
    expect(page.get_by_test_id("skill")).to_contain_text("分体式空调安装")
    expect(page.get_by_test_id("skill")).to_contain_text("初级")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    issued = Certification.objects.get(user__username="J7101")
    assert CertificateDocument.objects.filter(certification=issued).count() == 1


def test_a_customer_scanning_the_qr_sees_no_personal_data_and_no_suspended_skill(
    live_server, browser, two_regions
):
    tech = StaffFactory(
        employee_no="J7102", name="张伟", outlet=two_regions["sh"], phone="13912345678"
    )
    tech.user.email = "zhangwei@example.com"
    tech.user.save()
    verified_height_licence(tech.user)
    install = make_programme(
        make_skill("AC-SPLIT-INSTALL", name="分体式空调安装", licences=["height"]), level=1
    )
    repair = make_programme(make_skill("AC-REPAIR", name="家用空调维修"), level=2)
    now = timezone.now()
    make_certification(tech.user, install, issued_at=now - 30 * DAY)
    suspended = make_certification(tech.user, repair, issued_at=now - 30 * DAY)
    code = verification_card_ensure(user=tech.user).code

    # A customer's phone, not logged in.
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/verify/{code}/")
        expect(page.get_by_test_id("skill")).to_have_count(2)
        expect(page.locator("meta[name=robots]")).to_have_attribute("content", "noindex, nofollow")

        certification_suspend(
            certification=suspended,
            user=two_regions["east_manager"].user,
            reason_code="complaint",
            reason_text="用户投诉：维修后空调仍不制冷",
        )
        page.reload()
        expect(page.get_by_test_id("skill")).to_have_count(1)
        expect(page.get_by_test_id("skill")).to_contain_text("分体式空调安装")
        body = page.locator("body").inner_text()
        assert "家用空调维修" not in body
        assert "用户投诉" not in body
        for private in ("13912345678", "zhangwei@example.com", "J7102", "上海市测试区"):
            assert private not in page.content()

        response = page.goto(f"{live_server.url}/verify/{'x' * 22}/")
        assert response.status == 404
    finally:
        context.close()
