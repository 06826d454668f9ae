"""Settings shared by every environment. Values a deployment changes come from the environment;
every one of them has an embedded default so the portal runs on a bare machine."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from .env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# One directory holds everything the portal writes: database, media, search index, broker
# messages, beat schedule. Back it up and the portal can be restored.
DATA_DIR = env_path("PORTAL_DATA_DIR", BASE_DIR / "var")
MEDIA_ROOT = DATA_DIR / "media"
SEARCH_INDEX_DIR = env_path("PORTAL_SEARCH_INDEX_DIR", DATA_DIR / "search-index")
BROKER_DIR = DATA_DIR / "broker"

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal",
    "courses",
    "certification",
    "knowledge",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "ninja",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, the worker and beat read while one of them writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "portal:login"

# Chinese first: Simplified Chinese is the default, English is offered in the language switch.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media is served by the portal itself unless a front server or object store takes over.
SERVE_MEDIA = env_bool("PORTAL_SERVE_MEDIA", True)

# Requests are bounded so an oversized upload or API call is refused, not buffered.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PORTAL_MAX_REQUEST_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
IMPORT_MAX_FILE_BYTES = env_int("PORTAL_IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("PORTAL_IMPORT_MAX_ROWS", 20000)
API_MAX_BATCH = 500

WAGTAIL_SITE_NAME = env_str("PORTAL_SITE_NAME", "售后服务学院")
WAGTAILADMIN_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "zip", "mp4", "txt", "csv"]
# Whoosh with jieba Chinese analysis, on disk in the data directory (portal/search/). At scale
# the same search_fields run on Elasticsearch/OpenSearch: see README, "Scaling out".
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "portal.search.backend",
        "PATH": str(SEARCH_INDEX_DIR),
        "QUERY_EXPANDER": "knowledge.synonyms.expand",
        "MAX_HITS": 1000,
    },
}
# Run-time words for the Chinese segmenter (trainers' dictionary words, synonym words).
SEARCH_VOCABULARY = "knowledge.vocabulary"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "academy@example.invalid")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# Background work. Celery runs the portal's own tasks and, through a django_tasks backend,
# Wagtail's (search index and reference index updates): one worker fleet for both.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis redelivers a message whose worker died once this many seconds have passed since it
    # was taken; it must exceed the longest task (CELERY_TASK_TIME_LIMIT).
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "portal.*": {"queue": "default"},
    "courses.*": {"queue": "courses"},
    "certification.*": {"queue": "certification"},
    # The coalesced case index pass must not wait behind a backlog of tickets.
    "knowledge.index_cases": {"queue": "default"},
    "knowledge.*": {"queue": "knowledge"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-content": {"task": "portal.publish_scheduled", "schedule": 60.0},
    "courses-due-reminders": {
        "task": "courses.send_due_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "courses-expire-overdue-attempts": {
        "task": "courses.expire_overdue_attempts",
        "schedule": 60.0,
    },
    # Expiry, void licences, 90/60/30/7-day reminders, renewal paths (certification/nightly.py).
    "certification-nightly": {
        "task": "certification.run_nightly",
        "schedule": crontab(hour=1, minute=30),
    },
    "certification-sweep-webhooks": {"task": "certification.sweep_webhooks", "schedule": 60.0},
    "certification-licence-webhooks": {
        "task": "certification.publish_licence_webhooks",
        "schedule": crontab(hour=1, minute=45),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Webhooks (certification/webhooks.py, README "Webhooks"): off until a subscription exists.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_BACKOFF_BASE_SECONDS = env_int("WEBHOOK_BACKOFF_BASE_SECONDS", 30)
WEBHOOK_BACKOFF_MAX_SECONDS = env_int("WEBHOOK_BACKOFF_MAX_SECONDS", 3600)
WEBHOOK_CONNECT_TIMEOUT_SECONDS = env_int("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3)
WEBHOOK_READ_TIMEOUT_SECONDS = env_int("WEBHOOK_READ_TIMEOUT_SECONDS", 10)
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60)
WEBHOOK_SWEEP_GRACE_SECONDS = env_int("WEBHOOK_SWEEP_GRACE_SECONDS", 60)
WEBHOOK_LICENCE_LOOKBACK_DAYS = env_int("WEBHOOK_LICENCE_LOOKBACK_DAYS", 7)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"

TASKS = {"default": {"BACKEND": "portal.task_backend.CeleryTaskBackend"}}

# Knowledge base: the summariser that turns redacted tickets into cases. The LLM option reads
# KNOWLEDGE_LLM_* and falls back to the built-in one on any failure.
KNOWLEDGE_SUMMARISER = env_str(
    "KNOWLEDGE_SUMMARISER", "knowledge.summarisers.builtin.BuiltinSummariser"
)
KNOWLEDGE_LLM_BASE_URL = env_str("KNOWLEDGE_LLM_BASE_URL")
KNOWLEDGE_LLM_MODEL = env_str("KNOWLEDGE_LLM_MODEL")
KNOWLEDGE_LLM_API_KEY = env_str("KNOWLEDGE_LLM_API_KEY")
KNOWLEDGE_LLM_TIMEOUT = env_int("KNOWLEDGE_LLM_TIMEOUT", 20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
