from django.core.management.base import BaseCommand, CommandError

from portal.selectors import api_key_find
from portal.services import api_key_revoke


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (see list_api_keys)."

    def add_arguments(self, parser):
        parser.add_argument("prefix")

    def handle(self, *args, prefix, **options):
        key = api_key_find(prefix=prefix)
        if key is None:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        api_key_revoke(key=key)
        self.stdout.write(f"Revoked {key}.")
