"""The certificate PDF on the real stack: PostgreSQL and a Celery worker on a real broker."""

import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

from certification.models import CertificateDocument
from certification.services import programme_evaluate
from certification.tasks import generate_certificate
from portal.models import ProductLine
from tests.factories import (
    StaffFactory,
    make_graded_attempt,
    make_programme,
    make_question,
    make_quiz,
    make_skill,
)
from tests.integration.conftest import wait_for


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_the_pdf_once_after_the_issue_commits(real_broker, celery_worker):
    ProductLine.objects.get_or_create(code="AC", defaults={"name": "家用空调"})
    quiz = make_quiz(
        "家用空调安装上岗考试",
        questions=[make_question("R32冷媒属于哪一类？", choices=[("弱可燃", True)])],
        pass_mark=60,
    )
    programme = make_programme(make_skill("AC-SPLIT-INSTALL"), quizzes=[(quiz, 80, 12)])
    user = StaffFactory(employee_no="J-PDF", name="王师傅").user
    now = timezone.now()
    make_graded_attempt(user, quiz, score="90", at=now)
    with transaction.atomic():
        certification = programme_evaluate(user=user, programme=programme, now=now)
        # Published on commit only: the worker never looks for a row not yet committed.
        assert not CertificateDocument.objects.exists()
    assert wait_for(
        lambda: CertificateDocument.objects.filter(certification=certification).exists()
    ), "the worker never generated the certificate"
    document = CertificateDocument.objects.get(certification=certification)
    content = document.file.read()
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == document.sha256

    # A redelivered or replayed task answers with the same document and leaves it as it is.
    replays = [generate_certificate.delay(certification.pk) for _ in range(2)]
    done = [f"{r.id}] succeeded in" for r in replays]

    def replays_finished():
        log = celery_worker.log.read_text()
        return all(marker in log for marker in done)

    assert wait_for(replays_finished), "the worker never ran the replayed tasks"
    log_lines = celery_worker.log.read_text().splitlines()
    for marker in done:
        (line,) = [line for line in log_lines if marker in line]
        assert line.endswith(f": {document.pk}"), line
    assert CertificateDocument.objects.count() == 1
    document.refresh_from_db()
    assert document.file.read() == content
