"""A django_tasks backend that hands Wagtail's own background work to Celery.

Wagtail 8 and modelsearch enqueue search-index and reference-index updates through django_tasks.
With this backend they run on the same Celery workers as the portal's tasks, so one worker fleet
does all background work. Messages are sent when the surrounding transaction commits: a worker
must never look for a row that is not yet visible to it."""

from django.db import transaction
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id, normalize_json


class CeleryTaskBackend(BaseTaskBackend):
    """Enqueues each django_tasks task as ``portal.run_django_task`` on its Celery queue.

    Guarantees: arguments are JSON-normalised before they leave the process (the same rule as
    Django's own backends); the message is published on commit of the current transaction, or at
    once outside one. Results are not kept: Wagtail's tasks return nothing it reads back."""

    supports_defer = True
    supports_get_result = False

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=normalize_json(list(args)),
            kwargs=normalize_json(dict(kwargs)),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        transaction.on_commit(lambda: self._publish(result), robust=True)
        return result

    def _publish(self, result: TaskResult) -> None:
        from .tasks import run_django_task

        options = {"task_id": result.id, "queue": self._celery_queue(result.task)}
        if result.task.run_after is not None:
            options["eta"] = result.task.run_after
        run_django_task.apply_async(
            kwargs={
                "module_path": result.task.module_path,
                "args": result.args,
                "kwargs": result.kwargs,
            },
            **options,
        )
        object.__setattr__(result, "enqueued_at", timezone.now())
        task_enqueued.send(type(self), task_result=result)

    @staticmethod
    def _celery_queue(task: Task) -> str:
        # django_tasks names its default queue "default", which is also ours.
        return task.queue_name or "default"
