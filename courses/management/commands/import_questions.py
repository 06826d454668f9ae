from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from courses.quiz.spreadsheet import questions_import


class Command(BaseCommand):
    help = "Imports questions from an XLSX file (same columns as the admin import)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; write nothing."
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        report = questions_import(content=path.read_bytes(), filename=path.name, dry_run=dry_run)
        for message in report.file_errors:
            self.stderr.write(self.style.ERROR(message))
        for row in report.error_rows:
            self.stderr.write(
                _("Row %(row)s (%(key)s): %(details)s")
                % {"row": row.row, "key": row.code or "-", "details": "；".join(row.errors)}
            )
        counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "-"
        self.stdout.write(f"questions: {counts}")
        if not report.ok:
            raise CommandError(_("Some rows could not be imported; see the errors above."))
