from django.core.management.base import BaseCommand, CommandError

from portal.exceptions import UnknownScopeError
from portal.records import split_list
from portal.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for an outside system. The key is printed once and never again."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who uses the key, e.g. 'HR sync'")
        parser.add_argument("--scopes", required=True, help="Comma-separated, e.g. staff:write")

    def handle(self, *args, name, scopes, **options):
        try:
            key, raw = api_key_create(name=name, scopes=split_list(scopes))
        except UnknownScopeError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Created key {key.prefix} for {key.name!r} with scopes {key.scopes}.")
        self.stderr.write("Store it now: it cannot be shown again.")
        self.stdout.write(raw)
