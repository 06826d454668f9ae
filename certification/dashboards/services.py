"""Writes of the dashboards: export jobs and lapse reminders."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.services import notification_send

from ..exceptions import CertificationPermissionDenied
from .coverage import lapse_item_in_scope_get, lapse_reminder_key
from .exports import EXPORT_KINDS, export_filename, export_render
from .models import ExportJob

logger = logging.getLogger(__name__)


class ExportRefused(ValueError):
    """The export asked for does not exist in that format."""


def export_job_create(
    *, user: User, kind: str, file_format: str, params: dict, language: str = ""
) -> ExportJob:
    """Records an export for ``user`` and queues it once the transaction commits."""
    spec = EXPORT_KINDS.get(kind)
    if spec is None or file_format not in spec.formats:
        raise ExportRefused(kind)
    params = {k: str(v) for k, v in params.items() if v not in (None, "")}
    if language:
        params["_language"] = language
    job = ExportJob.objects.create(owner=user, kind=kind, file_format=file_format, params=params)
    from .tasks import export_run

    transaction.on_commit(lambda: export_run.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Produces the job's file with the owner's current scope. Idempotent: a finished job is
    left alone; a job interrupted while running starts again from scratch."""
    job = ExportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=1)

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=max(1, min(99, int(percent))))

    language = job.params.get("_language") or translation.get_language()
    try:
        with translation.override(language):
            content = export_render(
                user=job.owner,
                kind=job.kind,
                file_format=job.file_format,
                params=job.params,
                progress=progress,
            )
            name = export_filename(kind=job.kind, file_format=job.file_format, params=job.params)
    except Http404:
        job.status = ExportJob.Status.FAILED
        job.error = _("Part of this export is outside your scope.")
    except Exception as exc:  # a failed export is reported on its page, never lost silently
        logger.exception("export job %s failed", job.pk)
        job.status = ExportJob.Status.FAILED
        job.error = _("The export failed: %(error)s") % {"error": exc.__class__.__name__}
    else:
        job.file.save(name, ContentFile(content), save=False)
        job.status = ExportJob.Status.DONE
        job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "error", "finished_at"])
    return job


def export_job_of_owner(*, user: User, job_id: int) -> ExportJob:
    """The user's own job; anyone else's answers Http404, like a missing one."""
    job = ExportJob.objects.filter(pk=job_id, owner_id=user.pk).first()
    if job is None:
        raise Http404
    return job


def lapse_reminder_send(
    *, user: User, kind: str, item_id: int, today: dt.date | None = None
) -> bool:
    """Reminds the holder of a certification or licence that it lapses soon, in the portal (and
    by email when they have one). Once per item per day: returns False when already reminded
    today. Raises CertificationPermissionDenied when the item is outside the user's scope."""
    today = today or timezone.localdate()
    item = lapse_item_in_scope_get(user=user, kind=kind, item_id=item_id)
    if item is None:
        raise CertificationPermissionDenied()
    # Written in the portal's language, as the other reminders are: the holder reads it later.
    with translation.override(settings.LANGUAGE_CODE):
        title, body = _reminder_text(kind, item, today)
    sent = notification_send(
        user=item.user,
        key=lapse_reminder_key(kind=kind, item_id=item_id, day=today),
        title=title,
        body=body,
    )
    return sent is not None


def _reminder_text(kind: str, item, today: dt.date) -> tuple[str, str]:
    if kind == "certification":
        date = timezone.localdate(item.expires_at)
        title = _("Your certification %(what)s expires on %(date)s") % {
            "what": item.skill.name,
            "date": date.isoformat(),
        }
        body = _("Renew it in time: take the required courses and quizzes again.")
    else:
        review = item.next_review_on
        if review and today <= review < item.expires_on:
            title = _("Your licence %(what)s is due for review on %(date)s") % {
                "what": item.licence_type.name,
                "date": review.isoformat(),
            }
        else:
            title = _("Your licence %(what)s expires on %(date)s") % {
                "what": item.licence_type.name,
                "date": item.expires_on.isoformat(),
            }
        body = _("Arrange the review or renewal and give your manager the new licence.")
    return title, body
