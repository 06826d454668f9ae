"""The matrix body rendered in Python: a 500-technician region shows up to 50 × 40 cells per
page, and the template language spends most of a request on that many small cells. The markup
is the same a template would give; every value is escaped."""

from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .matrix import CellStatus, Matrix


def matrix_rows_html(matrix: Matrix) -> SafeString:
    labels = {
        key: (escape(str(label)), escape(str(CellStatus.short[key])))
        for key, label in CellStatus.labels.items()
    }
    tz = timezone.get_current_timezone()
    base = reverse("dashboards:technician", args=["0"])[:-2]
    rows = []
    for row in matrix.rows:
        cells = []
        for cell in row.cells:
            label, short = labels[cell.status]
            title = label
            if cell.expires_at is not None:
                title = f"{label} · {cell.expires_at.astimezone(tz):%Y-%m-%d}"
            level = f"L{cell.level} " if cell.level else ""
            cells.append(
                f'<td class="cell cell-{cell.status}" title="{title}" '
                f'data-status="{cell.status}">{level}{short}</td>'
            )
        t = row.technician
        rows.append(
            format_html(
                '<tr data-employee="{}"><th scope="row"><a href="{}{}/">{}</a><br>'
                '<span class="muted">{}</span></th><td>{}</td>{}</tr>',
                t.employee_no,
                base,
                quote(t.employee_no),
                t.name,
                t.employee_no,
                t.outlet.name if t.outlet_id else "",
                mark_safe("".join(cells)),  # noqa: S308 - built from escaped labels above
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - each row is format_html output
