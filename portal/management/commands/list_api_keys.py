from django.core.management.base import BaseCommand

from portal.models import ApiKey


class Command(BaseCommand):
    help = "List API keys (prefix, name, scopes, last use, revoked)."

    def handle(self, *args, **options):
        for key in ApiKey.objects.all():
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(f"{key.prefix}  {key.name}  {','.join(key.scopes)}  {used}  {state}")
