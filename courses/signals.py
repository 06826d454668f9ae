"""Domain signals of learning. Other apps (certification) subscribe in AppConfig.ready();
courses knows nothing of them.

All are sent after the transaction that recorded the event commits, exactly once per event."""

from django.dispatch import Signal

# Args: user, course (CoursePage), revision (wagtailcore.Revision or None), completed_at.
course_completed = Signal()

# Args: attempt (QuizAttempt), user, quiz (Quiz), score (Decimal, percent), passed (bool).
# Sent once per attempt, when it is graded (submitted or closed at its time limit).
quiz_attempt_graded = Signal()
