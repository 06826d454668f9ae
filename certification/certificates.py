"""Proof of certification on paper: QR codes and the PDF certificate.

The PDF is rendered once, when a certification is issued (a Celery task enqueued on commit),
and stored unchanged: a renewal is a new certification and gets a new document. Chinese is
drawn with ReportLab's built-in CID font ``STSong-Light`` (Adobe's Simplified Chinese font
that every PDF reader carries), so no font file ships with the portal."""

import functools
import hashlib
import io
import logging
from urllib.parse import urljoin

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import CertificateDocument, Certification, VerificationCard

logger = logging.getLogger(__name__)

CJK_FONT = "STSong-Light"
BRAND = "#0b5cad"
INK = "#1d2733"
MUTED = "#5f6b7a"

# Certificates are printed in Chinese whatever language the person uses the portal in.
CERTIFICATE_LANGUAGE = "zh-hans"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def certificate_number(certification: Certification) -> str:
    """The number printed on the certificate: skill code, year of issue and ledger id."""
    issued = timezone.localtime(certification.issued_at)
    return f"{certification.skill.code}-{issued:%Y}-{certification.pk:06d}"


def absolute_url(path: str) -> str:
    """``path`` on the portal's public address (``PORTAL_BASE_URL``), for what leaves the site:
    PDFs and QR codes rendered outside a request."""
    return urljoin(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/", path.lstrip("/"))


def certificate_verification_path(certification: Certification) -> str:
    return reverse("certification:verify_certificate", args=[certification.verification_code])


@functools.lru_cache(maxsize=512)
def qr_svg(data: str, *, scale: int = 4) -> str:
    """An inline ``<svg>`` QR code (medium error correction: survives a scuffed print)."""
    return segno.make(data, error="m").svg_inline(scale=scale, border=2, title="QR")


def qr_png(data: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _draw_qr(pdf, data: str, *, x: float, y: float, size: float) -> None:
    """Draws the QR code as vector squares: sharp at any print size."""
    qr = segno.make(data, error="m")
    matrix = [list(row) for row in qr.matrix]
    modules = len(matrix)
    cell = size / modules
    pdf.setFillColor(INK)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x + col_index * cell,
                    y + size - (row_index + 1) * cell,
                    cell,
                    cell,
                    stroke=0,
                    fill=1,
                )


def _date(moment) -> str:
    day = timezone.localdate(moment) if hasattr(moment, "tzinfo") else moment
    return _("%(year)s-%(month)02d-%(day)02d") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def certificate_pdf_render(*, certification: Certification) -> bytes:
    """The certificate as PDF bytes: holder, outlet, skill and level, dates, number, the
    verification code and a QR code to the certificate's public verification page."""
    # ReportLab is imported here, not at module level: it takes a second to load and only the
    # worker rendering certificates needs it.
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    _register_font()
    profile = getattr(certification.user, "staff_profile", None)
    holder = profile.name if profile else certification.user.get_username()
    outlet = profile.outlet.name if profile and profile.outlet_id else ""
    verify_url = absolute_url(certificate_verification_path(certification))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    with translation.override(CERTIFICATE_LANGUAGE):
        title = _("Certificate of Service Skills")
        pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
        pdf.setTitle(f"{title} {certificate_number(certification)}")
        pdf.setAuthor(settings.WAGTAIL_SITE_NAME)
        pdf.setSubject(certification.skill.name)

        pdf.setStrokeColor(BRAND)
        pdf.setLineWidth(3)
        pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        pdf.setLineWidth(0.8)
        pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

        pdf.setFillColor(BRAND)
        pdf.setFont(CJK_FONT, 30)
        pdf.drawCentredString(width / 2, height - 45 * mm, title)
        pdf.setFillColor(MUTED)
        pdf.setFont(CJK_FONT, 13)
        pdf.drawCentredString(width / 2, height - 55 * mm, settings.WAGTAIL_SITE_NAME)

        pdf.setFillColor(INK)
        pdf.setFont(CJK_FONT, 16)
        statement = _(
            "%(name)s has met the requirements of the certification programme and is "
            "certified for the skill below."
        ) % {"name": holder}
        pdf.drawCentredString(width / 2, height - 75 * mm, statement)

        rows = [
            (_("Holder"), holder),
            (_("Outlet"), outlet or "—"),
            (_("Skill"), f"{certification.skill.name}（{certification.skill.code}）"),
            (_("Level"), str(certification.get_level_display())),
            (_("Issued on"), _date(certification.issued_at)),
            (_("Valid until"), _date(certification.expires_at)),
            (_("Certificate number"), certificate_number(certification)),
            (_("Verification code"), certification.verification_code),
        ]
        top = height - 92 * mm
        for index, (label, value) in enumerate(rows):
            line_y = top - index * 10 * mm
            pdf.setFillColor(MUTED)
            pdf.setFont(CJK_FONT, 12)
            pdf.drawRightString(75 * mm, line_y, label)
            pdf.setFillColor(INK)
            pdf.setFont(CJK_FONT, 14)
            pdf.drawString(80 * mm, line_y, value)

        qr_size = 48 * mm
        qr_x, qr_y = width - 30 * mm - qr_size, 32 * mm
        _draw_qr(pdf, verify_url, x=qr_x, y=qr_y, size=qr_size)
        pdf.setFillColor(MUTED)
        pdf.setFont(CJK_FONT, 10)
        pdf.drawCentredString(qr_x + qr_size / 2, qr_y - 6 * mm, _("Scan to check it is valid"))
        pdf.setFont(CJK_FONT, 8)
        pdf.drawString(22 * mm, 20 * mm, verify_url)
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()


def verification_card_ensure(*, user) -> VerificationCard:
    """The person's verification page, created on first need. Its code never changes."""
    card = VerificationCard.objects.filter(user=user).first()
    if card is not None:
        return card
    try:
        with transaction.atomic():
            return VerificationCard.objects.create(user=user)
    except IntegrityError:  # created meanwhile by another request or worker
        return VerificationCard.objects.get(user=user)


def certificate_document_ensure(*, certification_id: int) -> CertificateDocument | None:
    """Generates and stores the certification's PDF unless it exists; returns the document
    (``None`` for an unknown id). Never regenerates: the stored file is the one issued."""
    existing = CertificateDocument.objects.filter(certification_id=certification_id).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        # Locks the ledger row so two workers never both render the same certificate.
        certification = (
            Certification.objects.select_for_update(of=("self",))
            .filter(pk=certification_id)
            .select_related("skill", "user__staff_profile__outlet")
            .first()
        )
        if certification is None:
            return None
        existing = CertificateDocument.objects.filter(certification=certification).first()
        if existing is not None:
            return existing
        verification_card_ensure(user=certification.user)
        content = certificate_pdf_render(certification=certification)
        document = CertificateDocument(
            certification=certification, sha256=hashlib.sha256(content).hexdigest()
        )
        document.file.save("certificate.pdf", ContentFile(content), save=False)
        document.save()
    logger.info("certificate pdf generated: certification=%s", certification_id)
    return document


def certificate_document_enqueue(*, certification: Certification) -> None:
    """Asks for the certificate PDF once the issuing transaction commits."""
    from .tasks import generate_certificate

    certification_id = certification.pk
    transaction.on_commit(lambda: generate_certificate.delay(certification_id))
