"""Proof for customers and auditors: the certificate PDF generated once at issue and kept
unchanged, who may download it, the public verification pages (unknown codes 404, nothing
personal, only what the technician may do today) and the technician's own view."""

import datetime as dt
import hashlib
import re
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.certificates import certificate_number, verification_card_ensure
from certification.models import CertificateDocument, Certification, CertificationStatus
from certification.selectors import certification_renewal_for, skills_today_for
from certification.services import (
    certification_revoke,
    certification_suspend,
    programme_evaluate,
)
from certification.tasks import generate_certificate
from certification.views import LOOKUP_MISSES_ALLOWED
from tests.factories import (
    StaffFactory,
    make_certification,
    make_graded_attempt,
    make_licence,
    make_programme,
    make_question,
    make_quiz,
    make_skill,
)

DAY = dt.timedelta(days=1)


def pdf_drawn_text(content: bytes) -> bytes:
    """Every string drawn on the PDF's pages, unescaped: the bytes the fonts render. Chinese
    (and everything drawn in the CID font) is UCS-2 big-endian."""
    from reportlab.lib.rl_accel import asciiBase85Decode

    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.S):
        header = content[max(0, match.start() - 200) : match.start()].rsplit(b"obj", 1)[-1]
        data = match.group(1).strip()
        if b"ASCII85Decode" in header:
            data = asciiBase85Decode(data.decode("latin-1"))
            data = data.encode("latin-1") if isinstance(data, str) else data
        if b"FlateDecode" in header:
            data = zlib.decompress(data)
        out.extend(_literal_strings(data))
    return b"\x00".join(out)


def _literal_strings(stream: bytes) -> list[bytes]:
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    found, i = [], 0
    while (i := stream.find(b"(", i)) != -1:
        depth, i, current = 1, i + 1, bytearray()
        while i < len(stream) and depth:
            char = stream[i]
            if char == ord("\\"):
                nxt = stream[i + 1]
                if nxt in escapes:
                    current += escapes[nxt]
                    i += 2
                elif ord("0") <= nxt <= ord("7"):
                    digits = re.match(rb"[0-7]{1,3}", stream[i + 1 : i + 4]).group()
                    current.append(int(digits, 8))
                    i += 1 + len(digits)
                else:
                    current.append(nxt)
                    i += 2
                continue
            if char == ord("("):
                depth += 1
            elif char == ord(")"):
                depth -= 1
                if not depth:
                    break
            current.append(char)
            i += 1
        found.append(bytes(current))
        i += 1
    return found


def drawn(content: bytes, text: str) -> bool:
    return text.encode("utf-16-be") in pdf_drawn_text(content)


@pytest.fixture
def exam(db):
    question = make_question("R32冷媒属于哪一类？", choices=[("不可燃", False), ("弱可燃", True)])
    return make_quiz("家用空调安装上岗考试", questions=[question], pass_mark=60)


@pytest.fixture
def exam_programme(skill, exam):
    return make_programme(skill, level=1, quizzes=[(exam, 80, 12)], validity_months=24)


@pytest.fixture
def licensed_tech(two_regions):
    tech = two_regions["sh_tech"]
    today = timezone.localdate()
    for code in ("height", "refrigeration"):
        make_licence(
            tech.user,
            code,
            issued_on=today - 400 * DAY,
            expires_on=today + 1000 * DAY,
            next_review_on=today + 500 * DAY,
        )
    return tech


def issue(user, programme, exam, django_capture_on_commit_callbacks, *, at=None):
    at = at or timezone.now()
    make_graded_attempt(user, exam, score="95", at=at - dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        certification = programme_evaluate(user=user, programme=programme, now=at)
    assert certification is not None
    return certification


# --- The PDF ---------------------------------------------------------------------------------


def test_issuing_generates_a_chinese_pdf_with_the_details_and_a_verification_code(
    licensed_tech, exam, exam_programme, django_capture_on_commit_callbacks
):
    certification = issue(
        licensed_tech.user, exam_programme, exam, django_capture_on_commit_callbacks
    )
    document = CertificateDocument.objects.get(certification=certification)
    content = document.file.read()
    assert content.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert b"STSong-Light" in content  # the built-in Chinese font, no font file shipped
    assert drawn(content, "售后服务技能认证证书")  # in Chinese whatever the request language
    assert drawn(content, "证书编号") and drawn(content, "初级")
    assert drawn(content, "上海技师")
    assert drawn(content, "上海一号网点")
    assert drawn(content, "分体式空调安装")
    assert drawn(content, certificate_number(certification))
    assert drawn(content, certification.verification_code)
    # The QR's target is printed under it too: the certificate's own verification page.
    assert drawn(content, f"/verify/c/{certification.verification_code}/")
    # The technician's verification page is created at first issue.
    assert licensed_tech.user.verification_card.code


def test_the_pdf_is_generated_once_and_never_rewritten(
    licensed_tech, exam, exam_programme, django_capture_on_commit_callbacks
):
    certification = issue(
        licensed_tech.user, exam_programme, exam, django_capture_on_commit_callbacks
    )
    document = CertificateDocument.objects.get(certification=certification)
    name, digest = document.file.name, document.sha256
    original = document.file.read()

    # The task running again (redelivery, a replay) returns the same document, untouched.
    assert generate_certificate.delay(certification.pk).get() == document.pk
    # Even when the holder's name changes later, the issued certificate stays as issued.
    licensed_tech.name = "上海技师（改名）"
    licensed_tech.save()
    assert generate_certificate.delay(certification.pk).get() == document.pk
    document.refresh_from_db()
    assert (document.file.name, document.sha256) == (name, digest)
    assert document.file.read() == original
    assert CertificateDocument.objects.count() == 1


def test_a_renewal_is_a_new_record_with_its_own_pdf(
    licensed_tech, exam, exam_programme, django_capture_on_commit_callbacks
):
    user = licensed_tech.user
    start = timezone.now() - dt.timedelta(days=700)
    first = issue(user, exam_programme, exam, django_capture_on_commit_callbacks, at=start)
    first_pdf = first.document.file.read()
    renewal = issue(
        user,
        exam_programme,
        exam,
        django_capture_on_commit_callbacks,
        at=first.expires_at - 10 * DAY,
    )
    first.refresh_from_db()
    assert first.status == CertificationStatus.SUPERSEDED
    assert renewal.pk != first.pk
    assert CertificateDocument.objects.count() == 2
    assert renewal.document.file.name != first.document.file.name
    assert first.document.file.read() == first_pdf


def test_imported_certifications_get_their_pdf_too(certified, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imported = make_certification(
            certified["hz_tech"].user,
            certified["cert"].programme,
            issued_at=timezone.now() - 30 * DAY,
        )
    assert CertificateDocument.objects.filter(certification=imported).exists()


# --- Who may download ------------------------------------------------------------------------


@pytest.fixture
def with_pdf(certified):
    generate_certificate.delay(certified["cert"].pk)
    return certified


def test_the_holder_downloads_their_certificate(client, with_pdf):
    cert = with_pdf["cert"]
    client.force_login(with_pdf["tech"].user)
    response = client.get(reverse("certification:certificate_pdf", args=[cert.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert certificate_number(cert) in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == cert.document.file.read()


def test_other_technicians_and_managers_outside_the_scope_get_404(client, with_pdf):
    url = reverse("certification:certificate_pdf", args=[with_pdf["cert"].pk])
    client.force_login(with_pdf["hz_tech"].user)  # same region, another technician
    assert client.get(url).status_code == 404
    client.force_login(with_pdf["south_manager"].user)
    assert client.get(url).status_code == 404
    client.force_login(with_pdf["east_manager"].user)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


# --- The public pages ------------------------------------------------------------------------


@pytest.fixture
def public(certified):
    tech = certified["tech"]
    tech.phone = "13812345678"
    tech.save()
    tech.user.email = "jsh@example.com"
    tech.user.save()
    certified["tech"].outlet.phone = "021-58881234"
    certified["tech"].outlet.save()
    card = verification_card_ensure(user=tech.user)
    return {**certified, "card": card, "url": reverse("certification:verify", args=[card.code])}


def test_the_verification_page_shows_name_outlet_and_todays_skills_without_login(client, public):
    response = client.get(public["url"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "上海技师" in html and "上海一号网点" in html
    assert 'data-skill="AC-SPLIT-INSTALL"' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<svg" in html  # the QR code of the page itself


def test_the_verification_page_never_shows_personal_data(client, public):
    html = client.get(public["url"]).content.decode()
    for private in (
        "13812345678",
        "jsh@example.com",
        "021-58881234",
        "上海市测试区测试路1号",
        public["tech"].employee_no,
    ):
        assert private not in html


def test_a_suspended_skill_drops_off_the_page_and_comes_back_when_reinstated(client, public):
    certification_suspend(
        certification=public["cert"], user=public["east_manager"].user, reason_code="complaint"
    )
    html = client.get(public["url"]).content.decode()
    assert "AC-SPLIT-INSTALL" not in html
    assert 'data-testid="no-skills"' in html
    assert "complaint" not in html and "投诉" not in html  # the reason stays internal


def test_a_void_licence_drops_the_skill(client, public):
    public["licences"]["height"].__class__.objects.filter(
        pk=public["licences"]["height"].pk
    ).update(next_review_on=timezone.localdate() - DAY)
    assert skills_today_for(user=public["tech"].user) == []


def test_unknown_codes_answer_404(client, public):
    assert client.get(reverse("certification:verify", args=["x" * 22])).status_code == 404
    assert (
        client.get(reverse("certification:verify_certificate", args=["x" * 22])).status_code == 404
    )
    # A certificate code is not a technician code, nor the other way round.
    cert_code = public["cert"].verification_code
    assert client.get(reverse("certification:verify", args=[cert_code])).status_code == 404
    assert client.get("/verify/short/").status_code == 404


def test_a_client_guessing_codes_is_refused_for_a_while(client, public, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    for n in range(LOOKUP_MISSES_ALLOWED):
        assert client.get(f"/verify/{'g' * 20}{n:04d}/").status_code == 404
    response = client.get(public["url"])
    assert response.status_code == 429
    assert response["Retry-After"]
    cache.clear()


def test_a_certificate_code_shows_a_revoked_certificate_as_revoked(client, public):
    url = reverse("certification:verify_certificate", args=[public["cert"].verification_code])
    html = client.get(url).content.decode()
    assert 'data-testid="certificate-state"' in html and "有效" in html
    certification_revoke(
        certification=public["cert"],
        user=public["east_manager"].user,
        reason_code="safety_incident",
    )
    html = client.get(url).content.decode()
    assert "已吊销" in html or "吊销" in html
    assert 'class="card verify-certificate state-revoked"' in html
    assert 'data-skill="AC-SPLIT-INSTALL"' not in html


def test_a_lapsed_certificate_shows_expired_before_the_nightly_job_runs(client, public):
    Certification.objects.filter(pk=public["cert"].pk).update(
        expires_at=timezone.now() - DAY, grace_days=0
    )
    url = reverse("certification:verify_certificate", args=[public["cert"].verification_code])
    html = client.get(url).content.decode()
    assert "state-expired" in html


def test_the_qr_code_is_served_as_png_and_svg(client, public):
    code = public["card"].code
    png = client.get(reverse("certification:verify_qr", args=[code, "png"]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get(reverse("certification:verify_qr", args=[code, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


# --- My certifications -----------------------------------------------------------------------


def test_my_certifications_lists_renewal_needs_and_licences(
    client, licensed_tech, exam, exam_programme, skill
):
    user = licensed_tech.user
    # Issued 23 months ago: the 60-day renewal window is open now.
    cert = make_certification(
        user, exam_programme, issued_at=timezone.now() - dt.timedelta(days=700)
    )
    renewal = certification_renewal_for(certification=cert)
    assert renewal.is_open and [r.met for r in renewal.requirements] == [False]
    # An attempt from before the window does not count towards the renewal; one inside does.
    make_graded_attempt(user, exam, score="95", at=renewal.opens_at - DAY)
    assert not certification_renewal_for(certification=cert).requirements[0].met
    make_graded_attempt(user, exam, score="95", at=renewal.opens_at + DAY)
    assert certification_renewal_for(certification=cert).requirements[0].met

    client.force_login(user)
    html = client.get(reverse("certification:mine")).content.decode()
    assert 'data-testid="expiring-soon"' in html
    assert "家用空调安装上岗考试" in html and 'data-met="1"' in html
    assert html.count('data-testid="licence"') == 2
    assert "上海市应急管理局" in html
    assert reverse("certification:verify", args=[user.verification_card.code]) in html


def test_my_certifications_is_linked_from_the_technicians_home(client, certified):
    client.force_login(certified["tech"].user)
    html = client.get("/").content.decode()
    assert reverse("certification:mine") in html
    assert "分体式空调安装" in html


def test_a_programme_needing_a_signoff_lists_the_unmet_signoff_for_renewal(client, two_regions):
    skill = make_skill("VRF-COMMISSION", name="多联机调试", product_line="AC")
    programme = make_programme(skill, level=2, requires_signoff=True)
    user = StaffFactory(employee_no="J-VRF", outlet=two_regions["sh"]).user
    make_certification(user, programme, issued_at=timezone.now() - dt.timedelta(days=700))
    client.force_login(user)
    html = client.get(reverse("certification:mine")).content.decode()
    assert 'data-met="0"' in html
    assert "多联机调试" in html


# --- Managers in the admin -------------------------------------------------------------------

CARDS = "/admin/snippets/certification/verificationcard/"


def test_a_manager_downloads_the_pdf_from_the_ledger_within_scope(client, with_pdf):
    cert = with_pdf["cert"]
    client.force_login(with_pdf["east_manager"].user)
    html = client.get(f"/admin/snippets/certification/certification/inspect/{cert.pk}/")
    assert reverse("certification:certificate_pdf", args=[cert.pk]) in html.content.decode()


def test_a_manager_adds_a_photo_shown_on_the_public_page(client, public):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "#3366aa").save(buffer, format="JPEG")
    card = public["card"]
    client.force_login(public["south_manager"].user)
    assert client.get(f"{CARDS}edit/{card.pk}/").status_code == 404  # outside the scope
    client.force_login(public["east_manager"].user)
    response = client.post(
        f"{CARDS}edit/{card.pk}/",
        {"photo": SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    card.refresh_from_db()
    assert card.photo and "me.jpg" not in card.photo.name  # a random, unguessable name
    client.logout()
    html = client.get(public["url"]).content.decode()
    assert card.photo.url in html


def test_the_public_page_costs_the_same_queries_for_one_skill_or_many(client, public):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(public["url"]).status_code == 200
        return len(captured)

    one = queries()
    for n, code in enumerate(["AC-REPAIR", "AC-CLEAN", "AC-INVERTER-DIAG"], start=1):
        programme = make_programme(make_skill(code, name=f"技能{n}"), level=n)
        make_certification(public["tech"].user, programme, issued_at=timezone.now() - 10 * DAY)
    html = client.get(public["url"]).content.decode()
    assert html.count('data-testid="skill"') == 4
    assert queries() == one


def test_a_person_who_left_shows_as_such_with_no_skills(client, public):
    public["tech"].active = False
    public["tech"].save()
    html = client.get(public["url"]).content.decode()
    assert 'data-testid="inactive"' in html
    assert 'data-testid="skill"' not in html
