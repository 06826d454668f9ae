from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.imports import import_apply, import_preview


class ImportCommand(BaseCommand):
    """Shared shape of the ``import_*`` commands (outlets, staff, and the kinds other apps
    register): same pipeline as the admin."""

    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV or XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; write nothing."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Write nothing if any row has an error."
        )

    def get_form_kwargs(self, **options) -> dict:
        """Extra arguments for the record form (e.g. who vouches for verified licences)."""
        return {}

    def handle(self, *args, file, dry_run, strict, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        content = path.read_bytes()
        form_kwargs = self.get_form_kwargs(**options)
        if dry_run:
            report, _valid = import_preview(
                kind=self.kind, content=content, filename=path.name, form_kwargs=form_kwargs
            )
        else:
            report = import_apply(
                kind=self.kind,
                content=content,
                filename=path.name,
                strict=strict,
                form_kwargs=form_kwargs,
            )
        for message in report.file_errors:
            self.stderr.write(self.style.ERROR(message))
        for row in report.error_rows:
            details = "；".join(f"{field}: {'，'.join(msgs)}" for field, msgs in row.errors.items())
            self.stderr.write(
                _("Row %(row)s (%(key)s): %(details)s")
                % {"row": row.row, "key": row.key or "-", "details": details}
            )
        counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "-"
        written = _("applied") if report.applied else _("nothing written")
        self.stdout.write(f"{self.kind}: {counts} ({written})")
        if not report.ok:
            raise CommandError(_("Some rows could not be imported; see the errors above."))
