from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.celery import app
from portal.exceptions import ImportFileError


class Command(BaseCommand):
    help = (
        "Import closed service tickets from CSV, XLSX or JSON lines. Processing runs on the "
        "Celery workers, or here with --sync."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--sync", action="store_true", help="Run the pipeline in this process and summarise."
        )

    def handle(self, *args, file, sync, **options):
        from knowledge.imports import tickets_import
        from knowledge.models import Ticket

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        previous = app.conf.task_always_eager
        app.conf.task_always_eager = sync or previous
        try:
            counts, errors = tickets_import(content=path.read_bytes(), filename=path.name)
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        finally:
            app.conf.task_always_eager = previous
        for number, field_errors in errors:
            details = "；".join(f"{k}: {'，'.join(v)}" for k, v in field_errors.items())
            self.stderr.write(f"行 {number}: {details}")
        self.stdout.write("received: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        if sync:
            statuses = Counter(Ticket.objects.values_list("status", flat=True))
            self.stdout.write(
                "pipeline: " + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
            )
        if errors:
            raise CommandError(f"{len(errors)} ticket(s) rejected; see the errors above.")
