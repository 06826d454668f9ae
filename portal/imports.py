"""Bulk onboarding of an organisation from CSV or XLSX files.

A file is read whole, every row is validated, and a report lists each row with what will
happen to it (create or update) or why it cannot be imported. Applying imports the
valid rows and leaves the invalid ones out, each in its own transaction; with ``strict`` a
single bad row stops the whole file and nothing is written. The admin upload, the management
commands and the tests all go through ``import_preview`` and ``import_apply``."""

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .exceptions import ImportFileError
from .models import ServiceOutlet, StaffProfile
from .records import OutletRecordForm, StaffRecordForm, form_errors, normalise_record
from .services import outlet_upsert, staff_upsert


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    key: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    aliases: dict[str, str]
    form_class: type
    upsert: object
    model: type
    # Who may import this kind in the admin (a Django permission).
    permission: str = ""
    # Optional: the row's key from its normalised record (composite keys), the predicted action
    # of a valid row ("create"/"update"/"unchanged"), and the form kwargs for an admin user.
    key_of: Callable[[dict], str] | None = None
    predict: Callable[[dict], str] | None = None
    form_kwargs_for: Callable[[object], dict] | None = None
    # Shown on the upload page: how rows are matched (defaults to the organisation wording).
    help_text: str = ""

    def row_key(self, record: dict) -> str:
        if self.key_of is not None:
            return self.key_of(record)
        return str(record.get(self.key) or "")


OUTLET_SPEC = ImportSpec(
    kind="outlets",
    key="code",
    columns=("code", "name", "region", "address", "phone", "product_lines", "active"),
    required=("code", "name", "region"),
    aliases={
        "网点编码": "code",
        "网点名称": "name",
        "区域": "region",
        "地址": "address",
        "电话": "phone",
        "联系人": "contact_name",
        "授权品类": "product_lines",
        "启用": "active",
    },
    form_class=OutletRecordForm,
    upsert=outlet_upsert,
    model=ServiceOutlet,
    permission="portal.add_serviceoutlet",
)

STAFF_SPEC = ImportSpec(
    kind="staff",
    key="employee_no",
    columns=(
        "employee_no",
        "name",
        "phone",
        "email",
        "outlet_code",
        "roles",
        "hire_date",
        "active",
    ),
    required=("employee_no", "name", "roles"),
    aliases={
        "工号": "employee_no",
        "姓名": "name",
        "手机": "phone",
        "电话": "phone",
        "邮箱": "email",
        "网点编码": "outlet_code",
        "角色": "roles",
        "入职日期": "hire_date",
        "在职": "active",
    },
    form_class=StaffRecordForm,
    upsert=staff_upsert,
    model=StaffProfile,
    permission="portal.add_importbatch",
)

SPECS = {spec.kind: spec for spec in (OUTLET_SPEC, STAFF_SPEC)}


def import_spec_register(spec: ImportSpec) -> None:
    """Adds a kind of import (other apps call this from ``AppConfig.ready()``): it then runs
    through the same preview/apply pipeline, admin upload and command shape as outlets and
    staff."""
    SPECS[spec.kind] = spec


@dataclass
class RowReport:
    row: int
    key: str
    action: str  # create | update | unchanged | error (preview); created | updated | ... (apply)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    kind: str
    rows: list[RowReport]
    file_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.action == "error"]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r.action for r in self.rows))

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.error_rows

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "applied": self.applied,
            "counts": self.counts,
            "file_errors": self.file_errors,
            "notes": self.notes,
            "rows": [asdict(r) for r in self.rows],
        }


def read_table(*, content: bytes, filename: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The headers and rows of a CSV or XLSX file, each row as
    ``(row number as the user sees it, {header: value})``.

    Headers are stripped and lower-cased; blank rows are skipped. CSV may be UTF-8 (with or
    without BOM) or GB18030, as Excel saves it on Chinese Windows."""
    suffix = PurePath(filename).suffix.lower()
    if len(content) > settings.IMPORT_MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024)}
        )
    if suffix == ".csv":
        table = _read_csv(content)
    elif suffix == ".xlsx":
        table = _read_xlsx(content)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    headers = [str(h or "").strip().lower() for h in table[0]]
    rows = []
    for offset, values in enumerate(table[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((offset, {h: v for h, v in zip(headers, values, strict=False) if h}))
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows; at most %(max)s are accepted at once.")
            % {"rows": len(rows), "max": settings.IMPORT_MAX_ROWS}
        )
    return headers, rows


def _read_csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK encoded."))
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV text file."))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFileError(_("This is not a readable .xlsx workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _canonical(spec: ImportSpec, row: dict) -> dict:
    return {spec.aliases.get(k, k): v for k, v in row.items()}


def import_preview(
    *, kind: str, content: bytes, filename: str, form_kwargs: dict | None = None
) -> tuple[ImportReport, list[tuple[int, dict]]]:
    """Reads and validates a file without writing anything.

    Returns the report and the cleaned records of the valid rows, keyed by row number.
    Rows sharing a key (outlet code, employee number) inside the file are all refused: which
    of them is right is for a person to decide."""
    spec = SPECS[kind]
    report = ImportReport(kind=kind, rows=[])
    try:
        headers, table = read_table(content=content, filename=filename)
    except ImportFileError as exc:
        report.file_errors.append(exc.message)
        return report, []
    rows = [(n, _canonical(spec, r)) for n, r in table]
    present = {spec.aliases.get(h, h) for h in headers}
    missing = [c for c in spec.required if c not in present]
    if missing:
        report.file_errors.append(
            _("Missing column(s): %(columns)s. Expected columns: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(spec.columns)}
        )
        return report, []
    if not rows:
        report.file_errors.append(_("The file has a header but no rows."))
        return report, []

    keys = Counter(spec.row_key(normalise_record(r)) for _n, r in rows)
    valid: list[tuple[int, dict]] = []
    for row_no, raw in rows:
        record = normalise_record(raw)
        key = spec.row_key(record)
        if key and keys[key] > 1:
            report.rows.append(
                RowReport(
                    row_no,
                    key,
                    "error",
                    {spec.key: [_("%(key)s appears more than once in this file.") % {"key": key}]},
                )
            )
            continue
        form = spec.form_class(data=record, **(form_kwargs or {}))
        if not form.is_valid():
            report.rows.append(RowReport(row_no, key, "error", form_errors(form)))
            continue
        report.rows.append(RowReport(row_no, key, _predict(spec, form.cleaned_data)))
        valid.append((row_no, form.cleaned_data))
    return report, valid


def _predict(spec: ImportSpec, data: dict) -> str:
    if spec.predict is not None:
        return spec.predict(data)
    exists = spec.model.objects.filter(**{spec.key: data[spec.key]}).exists()
    return "update" if exists else "create"


def import_apply(
    *,
    kind: str,
    content: bytes,
    filename: str,
    strict: bool = False,
    form_kwargs: dict | None = None,
) -> ImportReport:
    """Validates the file again (the database may have changed since the preview) and writes the
    valid rows. Each row is its own transaction, so a row that fails at write time leaves the
    others in place; ``strict`` writes nothing unless every row is valid."""
    spec = SPECS[kind]
    report, valid = import_preview(
        kind=kind, content=content, filename=filename, form_kwargs=form_kwargs
    )
    if report.file_errors or (strict and report.error_rows):
        return report
    results = {}
    for row_no, data in valid:
        try:
            with transaction.atomic():
                results[row_no] = (spec.upsert(data=data).action, {})
        except Exception as exc:  # a row must never take the rest of the file down with it
            results[row_no] = ("error", {"__all__": [str(exc)]})
    for row in report.rows:
        if row.row in results:
            row.action, row.errors = results[row.row]
    report.applied = True
    return report
