"""gunicorn settings of the quiz benchmark's server: every worker appends the id of each
attempt it sends ``quiz_attempt_graded`` for to ``BENCH_SIGNAL_FILE``, so the benchmark can
count how often each attempt was graded across processes. One short append per line is
atomic with O_APPEND."""

import os


def post_worker_init(worker):
    from courses.signals import quiz_attempt_graded

    path = os.environ["BENCH_SIGNAL_FILE"]

    def record_graded(sender, attempt, **kwargs):
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, f"{attempt.pk}\n".encode())
        finally:
            os.close(descriptor)

    # Kept on the worker so the receiver (connected weakly by default) lives as long as it.
    worker.bench_record_graded = record_graded
    quiz_attempt_graded.connect(record_graded, weak=False)
