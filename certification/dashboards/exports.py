"""Every dashboard table as XLSX or CSV, and the monthly report per outlet.

An export holds the whole table for the user's scope and filters, never one page of it. Each
kind names a builder returning :class:`Table` objects; the same builders feed the direct
download (small exports) and the background job (large ones and the monthly report), so both
give the same file. CSV is UTF-8 with a byte-order mark, which Excel needs to read Chinese."""

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import LessonProgress, QuizAttempt
from knowledge.models import Case, CaseOccurrence

from .coverage import HORIZONS, coverage_for, lapses_for
from .filters import coverage_filters_parse, days_parse, matrix_filters_parse, month_parse
from .knowledge_health import knowledge_health
from .matrix import CellStatus, MatrixCell, MatrixFilters, matrix_all_rows
from .scope import outlet_in_scope_get, technicians_in_scope
from .tables import Table
from .training import quiz_health, training_by_outlet, training_hours

FORMATS = ("xlsx", "csv")
# Exports of more technicians than this run as a background job instead of a download.
DIRECT_EXPORT_MAX_TECHNICIANS = 1000

Progress = Callable[[int], None]


def _noop(_percent: int) -> None:
    pass


def _percent(value: float | None):
    return round(100 * value, 1) if value is not None else None


def cell_texter() -> Callable[[MatrixCell], str | None]:
    """A function writing a matrix cell as one readable value: status, level and expiry date.

    Labels and the time zone are looked up once: a network export writes hundreds of thousands
    of cells, and each translation or time-zone lookup goes through a thread-local."""
    labels = {key: str(label) for key, label in CellStatus.labels.items()}
    tz = timezone.get_current_timezone()

    def text(cell: MatrixCell) -> str | None:
        if cell.status == CellStatus.NONE:
            return None  # an empty cell: not written at all in XLSX
        if cell.expires_at is None:
            return f"{labels[cell.status]} · L{cell.level}"
        day = cell.expires_at.astimezone(tz).date()
        return f"{labels[cell.status]} · L{cell.level} · {day.isoformat()}"

    return text


# --- Table builders --------------------------------------------------------------------------


def matrix_tables(*, user: User, params: Mapping, progress: Progress = _noop) -> list[Table]:
    filters, _errors = matrix_filters_parse(user=user, params=params)
    return [_matrix_table(user=user, filters=filters, progress=progress)]


def _matrix_table(*, user: User, filters: MatrixFilters, progress: Progress = _noop) -> Table:
    table = Table("matrix", _("Certification matrix"), [])
    cell_text = cell_texter()
    for skills, rows in matrix_all_rows(
        user=user,
        filters=filters,
        progress=lambda done, total: progress(int(90 * done / total) if total else 90),
    ):
        if not table.headers:
            table.headers = [
                _("Employee number"),
                _("Name"),
                _("Outlet code"),
                _("Outlet"),
                _("Region"),
                *(f"{s.name}（{s.code}）" for s in skills),
            ]
        for row in rows:
            t = row.technician
            table.rows.append(
                [
                    t.employee_no,
                    t.name,
                    t.outlet.code,
                    t.outlet.name,
                    t.outlet.region.name,
                    *(cell_text(c) for c in row.cells),
                ]
            )
    return table


def _horizon_headers() -> list[str]:
    return [_("Today") if d == 0 else _("In %(days)s days") % {"days": d} for d in HORIZONS]


def coverage_tables(*, user: User, params: Mapping, progress: Progress = _noop) -> list[Table]:
    filters, _errors = coverage_filters_parse(user=user, params=params)
    coverage = coverage_for(user=user, filters=filters, limit=False)
    progress(80)
    group = _("Region") if filters.group_by == "region" else _("Outlet")
    table = Table(
        "coverage",
        _("Coverage"),
        [group, _("Skill code"), _("Skill"), _("Certified"), *_horizon_headers()],
    )
    for row in coverage.rows:
        table.rows.append(
            [row.group.name, row.skill.code, row.skill.name, row.holders, *row.eligible]
        )
    return [table]


def lapses_tables(*, user: User, params: Mapping, progress: Progress = _noop) -> list[Table]:
    days, _errors = days_parse(params)
    outlet = None
    if params.get("outlet"):
        outlet = outlet_in_scope_get(user=user, outlet_id=params.get("outlet"))
    return [_lapses_table(user=user, days=days, outlet=outlet)]


def _lapses_table(*, user: User, days: int, outlet=None) -> Table:
    table = Table(
        "lapses",
        _("Lapsing soon"),
        [
            _("Kind"),
            _("Employee number"),
            _("Name"),
            _("Outlet"),
            _("Certification or licence"),
            _("Level"),
            _("Date"),
            _("Days left"),
            _("Note"),
            _("Reminded today"),
        ],
    )
    kinds = {"certification": _("Certification"), "licence": _("Licence")}
    for item in lapses_for(user=user, days=days, outlet=outlet):
        table.rows.append(
            [
                kinds[item.kind],
                item.staff.employee_no,
                item.staff.name,
                item.staff.outlet.name,
                item.what,
                item.level,
                item.date,
                item.days_left,
                str(item.note),
                _("Yes") if item.reminded_today else "",
            ]
        )
    return table


def training_outlets_tables(*, user: User, params: Mapping, progress: Progress = _noop):
    table = Table(
        "training_outlets",
        _("Onboarding and assignments"),
        [
            _("Outlet code"),
            _("Outlet"),
            _("Staff"),
            _("Onboarding assigned"),
            _("Onboarding completed"),
            _("Onboarding completion (%)"),
            _("Onboarding overdue"),
            _("Open assignments"),
            _("Overdue assignments"),
        ],
    )
    for row in training_by_outlet(user=user, outlet=_outlet(user, params)):
        table.rows.append(
            [
                row.outlet.code,
                row.outlet.name,
                row.staff,
                row.onboarding_assigned,
                row.onboarding_completed,
                _percent(row.onboarding_rate),
                row.onboarding_overdue,
                row.assignments_open,
                row.assignments_overdue,
            ]
        )
    return [table]


def _quiz_tables(health) -> list[Table]:
    rates = Table(
        "training_quizzes",
        _("Quiz pass rates"),
        [_("Quiz"), _("Attempts"), _("Passed"), _("Pass rate (%)"), _("Average score")],
    )
    for q in health.quizzes:
        rates.rows.append([q.title, q.attempts, q.passed, _percent(q.pass_rate), q.average_score])
    hardest = Table(
        "training_questions",
        _("Hardest questions"),
        [_("Question"), _("Quizzes"), _("Attempts"), _("Facility index")],
    )
    for h in health.hardest:
        hardest.rows.append([h.label, "、".join(h.quiz_titles), h.attempts, h.facility])
    return [rates, hardest]


def training_quizzes_tables(*, user: User, params: Mapping, progress: Progress = _noop):
    return _quiz_tables(quiz_health(user=user, outlet=_outlet(user, params)))[:1]


def training_questions_tables(*, user: User, params: Mapping, progress: Progress = _noop):
    return _quiz_tables(quiz_health(user=user, outlet=_outlet(user, params)))[1:]


def _hours_table(starts, rows) -> Table:
    table = Table(
        "training_hours",
        _("Training hours"),
        [
            _("Employee number"),
            _("Name"),
            _("Outlet"),
            *(f"{s:%Y-%m}" for s in starts),
            _("Total"),
        ],
    )
    for row in rows:
        table.rows.append(
            [row.staff.employee_no, row.staff.name, row.staff.outlet.name, *row.hours, row.total]
        )
    return table


def training_hours_tables(*, user: User, params: Mapping, progress: Progress = _noop):
    starts, rows = training_hours(user=user, outlet=_outlet(user, params))
    return [_hours_table(starts, rows)]


def _case_table(key: str, title: str, cases) -> Table:
    table = Table(
        key,
        title,
        [
            _("Case"),
            _("Title"),
            _("Product line"),
            _("Status"),
            _("Occurrences"),
            _("Recurring"),
            _("Batch"),
            _("Last seen"),
        ],
    )
    for case in cases:
        table.rows.append(
            [
                case.pk,
                case.title,
                case.product_line.name if case.product_line else "",
                str(case.get_kcs_status_display()),
                case.occurrences,
                _("Yes") if case.is_recurring else "",
                _("Yes") if case.is_batch else "",
                case.last_seen,
            ]
        )
    return table


def knowledge_tables(*, user: User, params: Mapping, progress: Progress = _noop) -> list[Table]:
    health = knowledge_health(user=user, limit=500)
    searches = Table(
        "knowledge_searches",
        _("Searches"),
        [_("List"), _("Query"), _("Searches"), _("Results opened")],
    )
    for label, rows in (
        (_("Top searches"), health.top_searches),
        (_("No results"), health.zero_searches),
    ):
        for row in rows:
            searches.rows.append([label, row["query"], row["searches"], row["opened"]])
    return [
        _case_table("knowledge_flags", _("New recurring or batch flags"), health.new_flags),
        _case_table(
            "knowledge_awaiting", _("Cases awaiting validation"), health.awaiting_validation
        ),
        searches,
    ]


def _outlet(user: User, params: Mapping):
    if params.get("outlet"):
        return outlet_in_scope_get(user=user, outlet_id=params.get("outlet"))
    return None


# --- The monthly report ----------------------------------------------------------------------


def _month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date]:
    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(next_month, dt.time.min))
    return start, end, next_month - dt.timedelta(days=1)


def monthly_report_tables(
    *, user: User, params: Mapping, progress: Progress = _noop
) -> list[Table]:
    """One outlet's month, to send upward: a summary, training hours, quiz results, onboarding
    and assignments, the certification matrix, what lapses in the next 90 days, and the cases
    its technicians' tickets fed."""
    outlet = outlet_in_scope_get(user=user, outlet_id=params.get("outlet"))
    month, _errors = month_parse(params)
    start, end, last_day = _month_bounds(month)
    people = technicians_in_scope(user=user).filter(outlet=outlet)
    user_ids = people.values("user_id")

    matrix = _matrix_table(user=user, filters=MatrixFilters(outlet=outlet))
    progress(20)
    statuses = Counter()
    for _skills, rows in matrix_all_rows(user=user, filters=MatrixFilters(outlet=outlet)):
        for row in rows:
            statuses.update(c.status for c in row.cells if c.status != CellStatus.NONE)
    starts, hours_rows = training_hours(user=user, months=1, outlet=outlet, today=last_day)
    hours = _hours_table(starts, hours_rows)
    progress(40)
    health = quiz_health(
        user=user,
        outlet=outlet,
        days=(last_day - month).days + 1,
        months=1,
        today=last_day,
        until=end,
    )
    attempts = QuizAttempt.objects.filter(
        user_id__in=user_ids, score__isnull=False, submitted_at__gte=start, submitted_at__lt=end
    )
    attempt_count = attempts.count()
    passed = attempts.filter(passed=True).count()
    quizzes = _quiz_tables(health)
    onboarding = training_outlets_tables(user=user, params={"outlet": outlet.pk})[0]
    progress(60)
    lapses = _lapses_table(user=user, days=90, outlet=outlet)
    numbers = people.values("employee_no")
    occurrences = CaseOccurrence.objects.filter(
        ticket__technician_employee_no__in=numbers, seen_at__gte=start, seen_at__lt=end
    )
    cases = Case.objects.filter(pk__in=occurrences.values("case_id")).select_related("product_line")
    knowledge = _case_table("knowledge_cases", _("Cases from our tickets"), cases)
    new_flags = cases.filter(flagged_at__gte=start, flagged_at__lt=end).count()
    progress(80)
    summary = Table("summary", _("Summary"), [_("Item"), _("Value")])
    summary.rows = [
        [_("Outlet"), f"{outlet.name}（{outlet.code}）"],
        [_("Region"), outlet.region.name],
        [_("Month"), f"{month:%Y-%m}"],
        [_("Technicians"), people.count()],
        [_("Training hours"), round(sum(r.total for r in hours_rows), 1)],
        [
            _("Lessons completed"),
            LessonProgress.objects.filter(
                user_id__in=user_ids, completed_at__gte=start, completed_at__lt=end
            ).count(),
        ],
        [_("Quiz attempts"), attempt_count],
        [_("Quiz pass rate (%)"), _percent(passed / attempt_count if attempt_count else None)],
        *[
            [f"{_('Certifications')}: {CellStatus.labels[s]}", statuses[s]]
            for s in (
                CellStatus.ACTIVE,
                CellStatus.EXPIRING_30,
                CellStatus.EXPIRING_60,
                CellStatus.EXPIRING_90,
                CellStatus.GRACE,
                CellStatus.SUSPENDED,
                CellStatus.EXPIRED,
                CellStatus.REVOKED,
            )
        ],
        [_("Lapsing in the next 90 days"), len(lapses.rows)],
        [_("Service tickets in the knowledge base"), occurrences.count()],
        [_("Cases fed"), len(knowledge.rows)],
        [_("New recurring or batch flags"), new_flags],
        [_("Generated at"), timezone.localtime()],
    ]
    return [summary, hours, *quizzes, onboarding, matrix, lapses, knowledge]


@dataclass(frozen=True)
class ExportKind:
    label: object
    build: Callable[..., list[Table]]
    formats: tuple[str, ...] = FORMATS
    # Whether a download may be served directly, given the user's scope size.
    may_stream: bool = True


EXPORT_KINDS: dict[str, ExportKind] = {
    "matrix": ExportKind(gettext_lazy("Certification matrix"), matrix_tables),
    "coverage": ExportKind(gettext_lazy("Coverage"), coverage_tables),
    "lapses": ExportKind(gettext_lazy("Lapsing soon"), lapses_tables),
    "training_outlets": ExportKind(
        gettext_lazy("Onboarding and assignments"), training_outlets_tables
    ),
    "training_quizzes": ExportKind(gettext_lazy("Quiz pass rates"), training_quizzes_tables),
    "training_questions": ExportKind(gettext_lazy("Hardest questions"), training_questions_tables),
    "training_hours": ExportKind(gettext_lazy("Training hours"), training_hours_tables),
    "knowledge": ExportKind(gettext_lazy("Knowledge health"), knowledge_tables, ("xlsx",)),
    "monthly_report": ExportKind(
        gettext_lazy("Monthly outlet report"), monthly_report_tables, ("xlsx",), may_stream=False
    ),
}
# Kinds whose size grows with the number of technicians: streamed only for small scopes.
SCOPE_SIZED = {"matrix", "coverage"}


def export_runs_in_background(*, user: User, kind: str) -> bool:
    spec = EXPORT_KINDS[kind]
    if not spec.may_stream:
        return True
    if kind in SCOPE_SIZED:
        return technicians_in_scope(user=user).count() > DIRECT_EXPORT_MAX_TECHNICIANS
    return False


# --- Writers ---------------------------------------------------------------------------------


def _plain(value):
    """A value openpyxl and csv accept: aware datetimes become local naive ones."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if hasattr(value, "__html__") or value.__class__.__name__ == "__proxy__":
        return str(value)
    return value


def tables_to_xlsx(tables: list[Table]) -> bytes:
    """A workbook with a sheet per table (write-only mode: memory stays flat on big tables)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    used = set()
    for table in tables:
        title = (str(table.title)[:31] or table.key).replace("/", "-")
        while title in used:
            title = f"{title[:28]}-{len(used)}"
        used.add(title)
        sheet = workbook.create_sheet(title)
        bold = Font(bold=True)
        header = []
        for name in table.headers:
            cell = WriteOnlyCell(sheet, value=str(name))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_plain(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tables_to_csv(tables: list[Table]) -> bytes:
    """UTF-8 with BOM. One table per file is the rule; several are separated by a blank line
    and a line naming the table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, table in enumerate(tables):
        if len(tables) > 1:
            if n:
                writer.writerow([])
            writer.writerow([str(table.title)])
        writer.writerow([str(h) for h in table.headers])
        for row in table.rows:
            writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value):
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export_render(
    *, user: User, kind: str, file_format: str, params: Mapping, progress: Progress = _noop
) -> bytes:
    """The export's file. Raises Http404 for an outlet or region outside the scope."""
    tables = EXPORT_KINDS[kind].build(user=user, params=params, progress=progress)
    progress(95)
    return tables_to_xlsx(tables) if file_format == "xlsx" else tables_to_csv(tables)


def export_filename(*, kind: str, file_format: str, params: Mapping) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    extra = f"-{params['month']}" if kind == "monthly_report" and params.get("month") else ""
    return f"{kind}{extra}-{stamp}.{file_format}"


__all__ = [
    "EXPORT_KINDS",
    "export_filename",
    "export_render",
    "export_runs_in_background",
    "tables_to_csv",
    "tables_to_xlsx",
]
