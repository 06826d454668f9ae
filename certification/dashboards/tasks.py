from celery import shared_task


@shared_task(
    name="certification.dashboards_export", acks_late=True, soft_time_limit=240, time_limit=300
)
def export_run(job_id: int) -> str:
    """Produces one export job's file (queue ``certification``). Idempotent: a finished job is
    not produced again."""
    from .services import export_job_run

    job = export_job_run(job_id=job_id)
    return job.status if job else "missing"
