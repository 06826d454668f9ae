"""People-facing pages of certification: the public verification pages (no login), the
technician's own certifications, and certificate downloads. Thin adapters over selectors and
``certificates``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .actions.base import user_may_manage
from .certificates import (
    certificate_number,
    qr_png,
    qr_svg,
    verification_card_ensure,
)
from .models import Certification
from .selectors import (
    certification_find_by_code,
    certification_state,
    my_certifications_for,
    technician_card_for,
    verification_card_find,
)
from .tasks import generate_certificate

# Codes are 128 random bits, so guessing is hopeless; still, a client that keeps asking for
# unknown codes is refused for a while rather than served.
LOOKUP_MISSES_ALLOWED = 30
LOOKUP_WINDOW_SECONDS = 600


def _miss_key(request) -> str:
    return f"certification:verify-miss:{request.META.get('REMOTE_ADDR', '')}"


def _throttled(request) -> bool:
    return cache.get(_miss_key(request), 0) >= LOOKUP_MISSES_ALLOWED


def _record_miss(request) -> None:
    key = _miss_key(request)
    if not cache.add(key, 1, LOOKUP_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, LOOKUP_WINDOW_SECONDS)


def _too_many(request) -> HttpResponse:
    response = TemplateResponse(
        request,
        "certification/too_many.html",
        {
            "title": _("Too many requests"),
            "message": _("Too many unknown codes were asked for. Try again in a few minutes."),
        },
        status=429,
    )
    response["Retry-After"] = str(LOOKUP_WINDOW_SECONDS)
    return response


def _public(response: HttpResponse) -> HttpResponse:
    # Kept out of search engines, and the code never leaks to other sites through Referer.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _technician_url(request, card) -> str:
    return request.build_absolute_uri(reverse("certification:verify", args=[card.code]))


@never_cache
@require_GET
def verify_technician(request, code: str):
    """A technician's public page: name, photo, outlet and the skills they may do today."""
    if _throttled(request):
        return _public(_too_many(request))
    card = verification_card_find(code=code)
    if card is None:
        _record_miss(request)
        raise Http404
    page_url = _technician_url(request, card)
    return _public(
        TemplateResponse(
            request,
            "certification/verify.html",
            {
                "title": _("Technician verification"),
                "technician": technician_card_for(user=card.user),
                "page_url": page_url,
                "qr": qr_svg(page_url),
                "checked_at": timezone.now(),
            },
        )
    )


@never_cache
@require_GET
def verify_certificate(request, code: str):
    """A certificate's own page (the QR printed on the PDF): the certificate's state, clearly,
    and what its holder may do today."""
    if _throttled(request):
        return _public(_too_many(request))
    certification = certification_find_by_code(code=code)
    if certification is None:
        _record_miss(request)
        raise Http404
    return _public(
        TemplateResponse(
            request,
            "certification/verify.html",
            {
                "title": _("Certificate verification"),
                "certificate": certification,
                "certificate_number": certificate_number(certification),
                "certificate_state": certification_state(certification=certification),
                "technician": technician_card_for(user=certification.user),
                "checked_at": timezone.now(),
            },
        )
    )


@require_GET
def verification_qr(request, code: str, fmt: str):
    """The QR code of a technician's page, as SVG or PNG (for printing on a badge)."""
    if _throttled(request):
        return _public(_too_many(request))
    card = verification_card_find(code=code)
    if card is None:
        _record_miss(request)
        raise Http404
    url = _technician_url(request, card)
    if fmt == "png":
        response = HttpResponse(qr_png(url), content_type="image/png")
    else:
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return _public(response)


@login_required
def my_certifications(request):
    """The technician's certifications, what each needs to renew, and their licences."""
    verification_card_ensure(user=request.user)
    mine = my_certifications_for(user=request.user)
    page_url = _technician_url(request, mine.card)
    return TemplateResponse(
        request,
        "certification/my_certifications.html",
        {
            "title": _("My certifications"),
            "mine": mine,
            "page_url": page_url,
            "qr": qr_svg(page_url, scale=3),
        },
    )


@login_required
def certificate_download(request, certification_id: int):
    """The stored PDF, for its holder and for managers whose scope holds the holder; anyone
    else gets 404, as if it did not exist."""
    certification = get_object_or_404(
        Certification.objects.select_related("skill", "user"), pk=certification_id
    )
    if certification.user_id != request.user.pk and not user_may_manage(
        user=request.user, person=certification.user
    ):
        raise Http404
    document = getattr(certification, "document", None)
    if document is None:
        generate_certificate.delay(certification.pk)
        messages.info(request, _("The certificate is being prepared. Try again in a minute."))
        return redirect("certification:mine")
    filename = f"{certificate_number(certification)}.pdf"
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)
