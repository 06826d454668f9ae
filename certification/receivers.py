"""Reactions of certification to learning events (``courses.signals``).

Receivers only enqueue: evaluation runs as a Celery task on ids, so a failure in certification
never breaks a learner's quiz submit, and the task can be retried."""

from .tasks import evaluate_programmes


def evaluate_after_quiz_graded(sender, attempt, user, quiz, **kwargs):
    # Evaluated whatever the quiz's own pass mark: the programme sets its minimum score.
    evaluate_programmes.delay(user.pk, quiz_id=quiz.pk)


def evaluate_after_course_completed(sender, user, course, **kwargs):
    evaluate_programmes.delay(user.pk, course_id=course.pk)


def check_corrective_training(sender, user, course, **kwargs):
    from .tasks import corrective_training_check

    corrective_training_check.delay(user.pk)
