"""Ticket files: CSV/XLSX (same columns as the API) or JSON lines, one ticket per line."""

import json
from collections import Counter
from pathlib import PurePath

from django.utils.translation import gettext as _

from portal.exceptions import ImportFileError
from portal.imports import read_table
from portal.records import form_errors

from .records import TicketRecordForm, normalise_ticket
from .services import ticket_receive


def read_ticket_file(*, content: bytes, filename: str) -> list[tuple[int, dict]]:
    if PurePath(filename).suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = []
        for number, line in enumerate(content.decode("utf-8-sig").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFileError(
                    _("Line %(n)s is not valid JSON: %(error)s") % {"n": number, "error": exc}
                ) from exc
            rows.append((number, record if isinstance(record, dict) else {"_": record}))
        return rows
    _headers, rows = read_table(content=content, filename=filename)
    return rows


def tickets_import(*, content: bytes, filename: str) -> tuple[Counter, list[tuple[int, dict]]]:
    """Receives every valid ticket of a file; returns action counts and the bad rows' errors."""
    counts: Counter = Counter()
    errors = []
    for number, raw in read_ticket_file(content=content, filename=filename):
        form = TicketRecordForm(data=normalise_ticket(raw))
        if not form.is_valid():
            counts["rejected"] += 1
            errors.append((number, form_errors(form)))
            continue
        _ticket, action = ticket_receive(data=form.cleaned_data)
        counts[action] += 1
    return counts, errors
