"""Real services for tests marked ``services``: PostgreSQL (TEST_DATABASE_URL) and a Celery
worker on a real broker (TEST_BROKER_URL), started as a separate process like in production."""

import os
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
QUEUES = "default,courses,certification,knowledge"


def pytest_collection_modifyitems(config, items):
    broker = os.environ.get("TEST_BROKER_URL")
    on_postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
    if broker and on_postgres:
        return
    if os.environ.get("CI"):
        return  # in CI a missing service is an error, never a skip
    reason = "needs TEST_DATABASE_URL (PostgreSQL) and TEST_BROKER_URL (see README)"
    for item in items:
        if "services" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


class Worker:
    """A real ``celery worker`` process on the test database, consuming every portal queue.
    Tests may kill it (to test redelivery) and start a new one."""

    def __init__(self, env: dict):
        self.env = env
        self.process: subprocess.Popen | None = None
        self.celery = [sys.executable, "-m", "celery", "-A", "portal"]
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        self.log = ROOT / "test-artifacts" / "celery-worker.log"

    def purge(self):
        subprocess.run(
            [*self.celery, "purge", "-f", "-Q", QUEUES],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )

    def start(self):
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [
                    *self.celery,
                    "worker",
                    "-Q",
                    QUEUES,
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        time.sleep(2)
        assert self.process.poll() is None, self.log.read_text()[-3000:]

    def kill(self):
        """SIGKILL: no warm shutdown, unacknowledged messages stay on the broker."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import connection

    test_db = dict(connection.settings_dict)
    base = dj_database_url.parse(os.environ["TEST_DATABASE_URL"])
    url = (
        f"postgres://{base['USER']}:{base.get('PASSWORD') or ''}@{base['HOST']}:{base['PORT']}"
        f"/{test_db['NAME']}"
    )
    worker = Worker(
        {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "TEST_DATABASE_URL": url,
            "CELERY_BROKER_URL": os.environ["TEST_BROKER_URL"],
            # The worker writes the same on-disk search index this process reads.
            "PORTAL_SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
            # ...and the same media (generated certificates, uploads).
            "PORTAL_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            # A killed worker's message comes back after this many seconds (Redis).
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        }
    )
    worker.purge()
    yield worker
    worker.stop()


@pytest.fixture
def real_broker(celery_worker, settings):
    """Switches this test process from eager Celery to the real broker the worker reads, and
    routes Wagtail's django_tasks through Celery."""
    from portal.celery import app

    # A worker of the test's own: truncating a transactional test's tables recreates content
    # types under new ids, which a long-lived worker would still hold in Django's cache, and
    # a worker still busy while the tables are truncated can deadlock with it.
    celery_worker.stop()
    celery_worker.start()
    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    _reset_connections(app)
    app.conf.update(broker_url=os.environ["TEST_BROKER_URL"], task_always_eager=False)
    settings.TASKS = {"default": {"BACKEND": "portal.task_backend.CeleryTaskBackend"}}
    yield app
    celery_worker.stop()
    _reset_connections(app)
    app.conf.update(**previous)


def _reset_connections(app):
    # Pools are created lazily from broker_url; dropping them makes the next send reconnect.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(predicate, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
