"""Pure grading: an answer and its frozen key in, a mark between 0 and 1 out.

No database, no clock: these functions are what an attempt's score is made of, so they are
unit-tested on their own. A malformed answer (wrong type, unknown option) scores 0, it never
raises."""

import re
import unicodedata

from courses.models.quiz import QuestionType

_SPACES = re.compile(r"\s+")


def normalise_text(value: str) -> str:
    """Full-width and half-width forms made equal (NFKC: "Ｒ３２" is "R32", "（" is "("),
    every space removed, letter case ignored."""
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub("", text).casefold()


def grade_single(*, correct: str, answer) -> float:
    return 1.0 if isinstance(answer, str) and answer == correct else 0.0


def grade_true_false(*, correct: bool, answer) -> float:
    if answer in ("true", True):
        return 1.0 if correct else 0.0
    if answer in ("false", False):
        return 0.0 if correct else 1.0
    return 0.0


def grade_multiple(*, correct: list[str], options: list[str], answer, partial: bool) -> float:
    """All or nothing, or with partial credit: each right option picked earns an equal share,
    each wrong option picked takes one share back, never below 0."""
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
        return 0.0
    picked = set(answer) & set(options)
    right = set(correct)
    if not partial:
        return 1.0 if picked == right else 0.0
    if not right:
        return 1.0 if not picked else 0.0
    hits = len(picked & right)
    misses = len(picked - right)
    return max(0.0, (hits - misses) / len(right))


def grade_fill_in(*, accepted: list[str], answer) -> float:
    if not isinstance(answer, str) or not answer.strip():
        return 0.0
    given = normalise_text(answer)
    return 1.0 if any(given == normalise_text(a) for a in accepted) else 0.0


def grade_ordering(*, correct: list[str], answer, partial: bool) -> float:
    """Exactly the right order, or with partial credit the share of steps in their place."""
    if not isinstance(answer, list) or not correct:
        return 0.0
    if not partial:
        return 1.0 if answer == correct else 0.0
    in_place = sum(1 for i, step in enumerate(correct) if i < len(answer) and answer[i] == step)
    return in_place / len(correct)


def grade_question(*, key: dict, answer) -> float:
    """The mark for one question, from its frozen key (see ``snapshot.question_freeze``)."""
    kind = key["type"]
    if kind == QuestionType.SINGLE:
        return grade_single(correct=key["correct"][0] if key["correct"] else "", answer=answer)
    if kind == QuestionType.MULTIPLE:
        return grade_multiple(
            correct=key["correct"], options=key["options"], answer=answer, partial=key["partial"]
        )
    if kind == QuestionType.TRUE_FALSE:
        return grade_true_false(correct=key["correct"], answer=answer)
    if kind == QuestionType.FILL_IN:
        return grade_fill_in(accepted=key["correct"], answer=answer)
    if kind == QuestionType.ORDERING:
        return grade_ordering(correct=key["correct"], answer=answer, partial=key["partial"])
    return 0.0


def grade_attempt(*, answer_key: dict, answers: dict) -> tuple[float, dict[str, float]]:
    """The score in percent (two decimals) and the mark of each question, equally weighted."""
    marks = {
        qkey: grade_question(key=key, answer=answers.get(qkey)) for qkey, key in answer_key.items()
    }
    score = round(100 * sum(marks.values()) / len(marks), 2) if marks else 0.0
    return score, marks
