"""Settings pytest runs with. SQLite in memory by default; TEST_DATABASE_URL points the suite at
PostgreSQL and TEST_BROKER_URL at a real broker for the integration run."""

import os
import tempfile
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "tests-only-not-a-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

DATA_DIR = Path(tempfile.mkdtemp(prefix="portal-test-"))
# The real worker of the ``services`` tests writes uploads where this process reads them.
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT", DATA_DIR / "media"))
SEARCH_INDEX_DIR = Path(os.environ.get("PORTAL_SEARCH_INDEX_DIR", DATA_DIR / "search-index"))
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "portal.search.backend",
        "PATH": str(SEARCH_INDEX_DIR),
        "QUERY_EXPANDER": "knowledge.synonyms.expand",
        "MAX_HITS": 1000,
    },
}
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir()
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if os.environ.get("TEST_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["TEST_DATABASE_URL"])}
else:
    # A file, not ":memory:": the browser tests' live server thread then has a connection of
    # its own, as a real server would.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "db.sqlite3"),
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }

# Tests run Celery tasks inline. Tests marked ``services`` switch the test process to a real
# broker and start a real worker (tests/integration/conftest.py); that worker runs with these
# settings too, its broker given by CELERY_BROKER_URL.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # How often (seconds) a Redis consumer looks for messages of dead workers to restore.
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
