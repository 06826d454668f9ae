"""The ticket → case pipeline: receive, redact, gate, summarise, fold duplicates.

Every step is idempotent. Re-posting a ticket updates it and runs the pipeline again; a ticket
is attached to at most one case (``CaseOccurrence.ticket`` is unique), so a redelivered task or a
re-post never counts an occurrence twice nor makes a second case."""

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.signal_handlers import disable_reference_index_auto_update

from .matching import MATCH_THRESHOLD, fingerprint, similarity
from .models import Case, CaseFlag, CaseOccurrence, Ticket
from .redaction import redact_ticket
from .summarisers import TicketText, get_summariser

logger = logging.getLogger(__name__)

FREE_TEXT_FIELDS = ("reported_symptom", "diagnosis", "root_cause", "resolution", "notes")
TICKET_FIELDS = (
    "closed_at",
    "service_type",
    "product_line",
    "product_model",
    "error_code",
    "customer_name",
    "customer_phone",
    "customer_address",
    *FREE_TEXT_FIELDS,
    "parts_replaced",
    "warranty",
    "technician_employee_no",
    "satisfaction",
)
RECURRING_WINDOW = dt.timedelta(days=90)
RECURRING_MIN = 3
BATCH_WINDOW = dt.timedelta(days=30)
BATCH_MIN = 3
CANDIDATES = 300

# A resolution that only says the visit did not happen or did not fix anything.
_NO_FIX = re.compile(
    r"改约|另约|用户不在家|客户不在家|无人在家|联系不上|无法联系|用户取消|客户取消|已取消|"
    r"未上门|待配件|等配件|配件未到|下次上门"
)
_MIN_TEXT = 15
_MIN_RESOLUTION = 6


def _content_hash(data: dict) -> str:
    payload = {k: data.get(k) for k in TICKET_FIELDS}
    payload["product_line"] = getattr(payload["product_line"], "code", None)
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


@transaction.atomic
def ticket_receive(*, data: dict) -> tuple[Ticket, str]:
    """Stores a validated ticket (``TicketRecordForm.cleaned_data``) and queues its processing
    on commit. Returns the ticket and ``queued`` (new), ``updated`` (changed, reprocessed) or
    ``unchanged`` (same content re-posted: nothing to do)."""
    from .tasks import process_ticket

    content_hash = _content_hash(data)
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).filter(ticket_no=data["ticket_no"]).first()
    )
    if ticket is not None and ticket.content_hash == content_hash:
        return ticket, "unchanged"
    action = "updated" if ticket else "queued"
    ticket = ticket or Ticket(ticket_no=data["ticket_no"])
    for field in TICKET_FIELDS:
        value = data.get(field)
        setattr(ticket, field, value if value is not None or field == "satisfaction" else "")
    ticket.parts_replaced = list(data.get("parts_replaced") or [])
    ticket.content_hash = content_hash
    ticket.status = Ticket.Status.RECEIVED
    ticket.status_reason = ""
    ticket.save()
    transaction.on_commit(lambda: process_ticket.delay(ticket.pk))
    return ticket, action


def _quality_gate(ticket: Ticket, text: dict) -> str:
    """The reason a ticket holds no usable fix, or "" when it does."""
    resolution = text.get("resolution", "").strip()
    if not resolution:
        return "no_resolution"
    no_fix_in_diagnosis = _NO_FIX.search(text.get("diagnosis", "")) and len(resolution) < 20
    if _NO_FIX.search(resolution) or no_fix_in_diagnosis:
        return "no_fix_done"
    if len(resolution) < _MIN_RESOLUTION:
        return "too_little_text"
    body = "".join(text.get(f, "") for f in ("reported_symptom", "diagnosis", "resolution"))
    if len(body) < _MIN_TEXT:
        return "too_little_text"
    if (
        ticket.service_type in ("安装", "保养")
        and not ticket.error_code
        and not text.get("root_cause")
    ):
        return "no_fault"
    return ""


SKIP_REASONS = {
    "no_resolution": "没有维修结果",
    "no_fix_done": "未实际维修（改约/不在家/取消/待配件）",
    "too_little_text": "内容过少，无法形成案例",
    "no_fault": "安装/保养工单，无故障可总结",
}


def _candidates(ticket: Ticket):
    cases = Case.objects.exclude(kcs_status=Case.KcsStatus.ARCHIVED)
    if ticket.product_line_id:
        cases = cases.filter(product_line_id=ticket.product_line_id)
    else:
        cases = cases.filter(product_line__isnull=True)
    if ticket.error_code:
        # Same code first; cases without codes can still match on words.
        cases = cases.filter(Q(error_code=ticket.error_code) | Q(error_code=""))
    # Only what matching reads, as tuples: the chosen case is read again, locked.
    return cases.order_by("-last_seen").values_list("pk", "fingerprint", "error_codes")[:CANDIDATES]


def _best_match(ticket: Ticket, words: set[str]) -> int | None:
    """The id of the case the ticket is another occurrence of, if any."""
    best, best_score = None, MATCH_THRESHOLD
    for case_id, case_words, case_codes in _candidates(ticket):
        score = similarity(
            words_a=words,
            words_b=set(case_words.split()),
            code_a=ticket.error_code,
            code_b=case_codes,
        )
        if score >= best_score:
            best, best_score = case_id, score
    return best


def _case_locked(case_id: int) -> Case:
    """The case's figures, read under its row lock: merges into one case from several workers
    take turns, so none counts from figures another is changing."""
    return Case.objects.select_for_update(of=("self",)).only(*Case.FIGURE_FIELDS).get(pk=case_id)


def case_refresh_from_occurrences(*, case: Case) -> Case:
    """Recomputes occurrences, models, codes, first/last seen and the recurring/batch flags
    from all the case's occurrences.

    Recurring (重复发生): ≥3 occurrences within 90 days. Batch (批量): ≥3 of the same model
    within 30 days. A newly raised flag stamps ``flagged_at`` for quality staff's list.
    Models and codes are only ever added: those the summary found stay.

    The reference for the figures; the pipeline calls it when an occurrence moves or leaves
    (re-posted tickets) and ``case_count_new_occurrence`` for the common case of one more."""
    rows = list(
        case.occurrence_set.order_by("seen_at").values_list(
            "seen_at", "product_model", "error_code"
        )
    )
    case.occurrences = len(rows)
    if rows:
        case.first_seen, case.last_seen = rows[0][0], rows[-1][0]
    models = list(dict.fromkeys([*case.product_models, *(model for _t, model, _c in rows)]))
    case.product_models = [m for m in models if m]
    codes = list(dict.fromkeys([*case.error_codes, *(code for _t, _m, code in rows)]))
    case.error_codes = [c for c in codes if c]
    case.error_code = case.error_codes[0] if case.error_codes else ""
    times_by_model: dict[str, list] = {}
    for seen_at, model, _code in rows:
        times_by_model.setdefault(model, []).append(seen_at)
    was_flagged = case.is_recurring or case.is_batch
    case.is_recurring = _within(
        [seen_at for seen_at, _m, _c in rows], RECURRING_WINDOW, RECURRING_MIN
    )
    case.is_batch = any(
        _within(times_by_model.get(model, []), BATCH_WINDOW, BATCH_MIN)
        for model in case.product_models
    )
    return _case_save_figures(case, was_flagged=was_flagged)


def case_recount(*, case_id: int) -> None:
    """Recounts a case's figures after an occurrence left it outside the pipeline (a ticket
    deleted by a manager): the pipeline only counts the occurrences it adds or moves. Nothing
    to do when the case itself is gone."""
    with transaction.atomic():
        try:
            case = _case_locked(case_id)
        except Case.DoesNotExist:
            return
        case_refresh_from_occurrences(case=case)


def case_count_new_occurrence(*, case: Case, occurrence: CaseOccurrence) -> Case:
    """Updates the figures of ``case`` (read locked, as saved) for one occurrence just added,
    to exactly what ``case_refresh_from_occurrences`` computes, at a cost that does not grow
    with the case: the count and first/last seen follow from the new occurrence; a raised flag
    stays raised (one more occurrence never breaks a cluster); an unraised one can only be
    raised by a cluster holding the new occurrence, so only the occurrences within one window
    of it are read, through the (case, seen_at) and (case, model, seen_at) indexes."""
    seen_at, model, code = occurrence.seen_at, occurrence.product_model, occurrence.error_code
    case.occurrences += 1
    case.first_seen = min(case.first_seen or seen_at, seen_at)
    case.last_seen = max(case.last_seen or seen_at, seen_at)
    for value, values in ((model, case.product_models), (code, case.error_codes)):
        if value and value not in values:
            values.append(value)
    case.error_code = case.error_codes[0] if case.error_codes else ""
    was_flagged = case.is_recurring or case.is_batch
    if not case.is_recurring and case.occurrences >= RECURRING_MIN:
        case.is_recurring = _within_around(case, seen_at, RECURRING_WINDOW, RECURRING_MIN)
    if not case.is_batch and model and case.occurrences >= BATCH_MIN:
        case.is_batch = _within_around(case, seen_at, BATCH_WINDOW, BATCH_MIN, product_model=model)
    return _case_save_figures(case, was_flagged=was_flagged)


def _within_around(case: Case, seen_at, window: dt.timedelta, minimum: int, **filters) -> bool:
    """Whether ``minimum`` of the case's occurrences (matching ``filters``) fall within one
    ``window``, reading only those at most a window from ``seen_at``: a cluster holding the
    occurrence at ``seen_at`` lies among them."""
    times = list(
        case.occurrence_set.filter(seen_at__range=(seen_at - window, seen_at + window), **filters)
        .order_by("seen_at")
        .values_list("seen_at", flat=True)
    )
    return _within(times, window, minimum)


def _case_save_figures(case: Case, *, was_flagged: bool) -> Case:
    if (case.is_recurring or case.is_batch) and not was_flagged:
        case.flagged_at = timezone.now()
    # Figures only: no reference changes, so no reference-index task for every merged ticket.
    with disable_reference_index_auto_update():
        case.save(update_fields=[*Case.FIGURE_FIELDS, "search_stale", "updated_at"])
    return case


def _within(times: list, window: dt.timedelta, minimum: int) -> bool:
    """Whether ``minimum`` of the (ascending) times fall within one ``window``."""
    return any(times[i + minimum - 1] - times[i] <= window for i in range(len(times) - minimum + 1))


def _ticket_text(ticket: Ticket) -> TicketText:
    text = ticket.redacted
    return TicketText(
        product_line_name=ticket.product_line.name if ticket.product_line else "",
        product_model=ticket.product_model,
        error_code=ticket.error_code,
        reported_symptom=text.get("reported_symptom", ""),
        diagnosis=text.get("diagnosis", ""),
        root_cause=text.get("root_cause", ""),
        resolution=text.get("resolution", ""),
        parts_replaced=tuple(text.get("parts_replaced", [])),
        notes=text.get("notes", ""),
    )


@dataclass(frozen=True)
class ProcessResult:
    status: str
    case_id: int | None = None


def ticket_process(*, ticket_id: int) -> ProcessResult:
    """Runs the pipeline for one ticket. Safe to run again for the same ticket at any time."""
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("product_line", "occurrence")
            .get(pk=ticket_id)
        )
        try:
            existing = ticket.occurrence  # a re-post or a redelivery: the case it belongs to
        except CaseOccurrence.DoesNotExist:
            existing = None
        ticket.status = Ticket.Status.PROCESSING
        fields = {f: getattr(ticket, f) or "" for f in FREE_TEXT_FIELDS}
        fields.update(
            customer_name=ticket.customer_name,
            customer_phone=ticket.customer_phone,
            customer_address=ticket.customer_address,
        )
        redacted = redact_ticket(fields, free_text_fields=FREE_TEXT_FIELDS)
        ticket.redacted = {f: redacted[f] for f in FREE_TEXT_FIELDS}
        ticket.redacted["parts_replaced"] = [
            redact_ticket({**fields, "p": p}, free_text_fields=("p",))["p"]
            for p in ticket.parts_replaced
        ]
        reason = _quality_gate(ticket, ticket.redacted)
        if reason:
            if existing is not None:
                # A re-post that turned out junk leaves its case: the case's figures follow.
                case = _case_locked(existing.case_id)
                existing.delete()
                case_refresh_from_occurrences(case=case)
            ticket.status, ticket.status_reason, ticket.case = Ticket.Status.SKIPPED, reason, None
            ticket.processed_at = timezone.now()
            ticket.save(update_fields=_PROCESSED_FIELDS)
            return ProcessResult(ticket.status)

        draft = get_summariser().summarise(_ticket_text(ticket))
        words = fingerprint(draft.symptom, draft.cause, draft.resolution)
        case_id = existing.case_id if existing else _best_match(ticket, set(words.split()))
        if case_id is None:
            case = Case.objects.create(
                title=draft.title,
                symptom=draft.symptom,
                cause=draft.cause,
                resolution=draft.resolution,
                parts=draft.parts,
                error_codes=draft.error_codes,
                product_models=draft.product_models,
                refrigerant=draft.refrigerant,
                product_line=ticket.product_line,
                fingerprint=words,
                live=True,
            )
        else:
            case = _case_locked(case_id)
        occurrence = CaseOccurrence(
            pk=existing.pk if existing else None,
            case=case,
            ticket=ticket,
            seen_at=ticket.closed_at,
            product_model=ticket.product_model,
            error_code=ticket.error_code,
        )
        # The ticket row is locked, so nobody else writes its occurrence: no get-or-create
        # savepoints needed (they were a third of this function's queries).
        if existing:
            # A re-post may move the occurrence in time or change its model: recount all.
            occurrence.save(force_update=True)
            case_refresh_from_occurrences(case=case)
            # The ticket that made the case holds its first occurrence, re-posts included.
            creator = case.occurrence_set.order_by("pk").values_list("ticket_id", flat=True)[0]
            created_it = creator == ticket.pk
        else:
            occurrence.save(force_insert=True)
            case_count_new_occurrence(case=case, occurrence=occurrence)
            created_it = case_id is None
        ticket.case = case
        ticket.status = Ticket.Status.CASE_CREATED if created_it else Ticket.Status.MERGED
        ticket.status_reason = ""
        ticket.processed_at = timezone.now()
        ticket.save(update_fields=_PROCESSED_FIELDS)
        return ProcessResult(ticket.status, case.pk)


# What processing changes on the ticket: the raw fields it was sent with are left alone.
_PROCESSED_FIELDS = ("redacted", "status", "status_reason", "case", "processed_at", "updated_at")


def ticket_mark_failed(*, ticket_id: int, error: str) -> None:
    Ticket.objects.filter(pk=ticket_id).update(
        status=Ticket.Status.FAILED, status_reason=error[:300], processed_at=timezone.now()
    )


def case_flag_create(*, case: Case, user, kind: str, comment: str = "") -> CaseFlag:
    """Records a technician's feedback; the case's reviewers are notified (on commit, in the
    background) and see open flags in the admin."""
    from .tasks import notify_case_flag

    flag = CaseFlag.objects.create(case=case, user=user, kind=kind, comment=comment.strip())
    transaction.on_commit(lambda: notify_case_flag.delay(flag.pk))
    return flag


def case_mark_validated(*, case: Case, user=None) -> Case:
    """Marks a case 已审核 once its review workflow is approved (the approval has published
    it). The live revision says so too, so the next edit starts from 已审核. An approved
    revision that archives the case keeps it archived."""
    case.refresh_from_db()
    if case.kcs_status == Case.KcsStatus.ARCHIVED:
        return case
    case.kcs_status = Case.KcsStatus.VALIDATED
    case.save(update_fields=["kcs_status", "updated_at", "search_stale"])
    for revision in {case.live_revision, case.latest_revision} - {None}:
        revision.content["kcs_status"] = Case.KcsStatus.VALIDATED
        revision.save(update_fields=["content"])
    logger.info("case %s validated by %s", case.pk, getattr(user, "pk", None))
    return case


def case_reviewers(*, case: Case):
    """People who approve the case's review workflow (its group-approval tasks' groups); the
    trainers' group when no workflow is assigned."""
    from django.contrib.auth import get_user_model
    from wagtail.models import GroupApprovalTask

    from portal.roles import Role, group_name

    workflow = case.get_workflow()
    tasks = (
        GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow, active=True)
        if workflow is not None
        else GroupApprovalTask.objects.none()
    )
    groups = Q(groups__in=[g for t in tasks for g in t.groups.all()]) if tasks else None
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(groups or Q(groups__name=group_name(Role.TRAINER))).distinct()


def case_flag_notify_reviewers(*, flag_id: int) -> int:
    """Tells each of the case's reviewers about a technician's flag, once (notification key per
    flag). Returns how many were notified."""
    from django.utils.translation import gettext as _

    from portal.services import notification_send

    flag = CaseFlag.objects.select_related("case").filter(pk=flag_id).first()
    if flag is None:
        return 0
    sent = 0
    for reviewer in case_reviewers(case=flag.case):
        sent += bool(
            notification_send(
                user=reviewer,
                key=f"case-flag:{flag.pk}",
                title=_("A technician flagged a case: %(title)s") % {"title": flag.case.title},
                body=f"{flag.get_kind_display()}\n{flag.comment}".strip(),
                url=f"/admin/snippets/knowledge/case/edit/{flag.case_id}/",
            )
        )
    return sent
