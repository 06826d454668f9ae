from importlib import import_module

from django.core.management.base import BaseCommand
from django.utils import translation

# Each app may ship a ``demo`` module with ``load()``; they run in dependency order.
DEMO_APPS = ["portal", "courses", "certification", "knowledge"]


class Command(BaseCommand):
    help = "Load (or refresh) the Chinese demo organisation and content. Safe to run repeatedly."

    def handle(self, *args, **options):
        translation.activate("zh-hans")
        logins = []
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            result = module.load()
            if app == "portal":
                logins = result
        from portal.demo import DEMO_PASSWORD

        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / Demo data ready."))
        self.stdout.write(
            f"演示账号 (密码均为 {DEMO_PASSWORD}) / Demo logins (password {DEMO_PASSWORD}):"
        )
        for login, name, roles in logins:
            self.stdout.write(f"  {login:<8} {name:<6} {roles}")
