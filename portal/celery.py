"""The Celery application shared by every app of the portal.

Queues are per concern (``default``, ``courses``, ``certification``, ``knowledge``) so a busy
knowledge pipeline never delays certification notices; one worker may consume all of them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

ALL_QUEUES = ("default", "courses", "certification", "knowledge")


@app.on_after_configure.connect
def _ensure_broker_folders(sender, **kwargs):
    # The filesystem transport expects its folders to exist before anything is published.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
