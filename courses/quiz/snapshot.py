"""Freezing a quiz into an attempt: which questions, in which order, with which options.

The result is two halves kept apart: the *paper* (what the learner sees, safe to render) and
the *key* (how it is graded, server-side only). Options get random tokens per attempt, so
neither database ids nor their order hint at the answer."""

import logging
import secrets
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import strip_tags

from courses.models.quiz import Question, QuestionChoice, QuestionType, Quiz

from .selectors import draw_pool

logger = logging.getLogger(__name__)
_random = secrets.SystemRandom()


@dataclass
class FrozenPaper:
    paper: list[dict]
    key: dict[str, dict]


def questions_draw(*, quiz: Quiz) -> list[Question]:
    """The fixed questions in their order, then each random draw. A question is never drawn
    twice. A draw short of questions takes what there is and is logged for trainers."""
    chosen: list[Question] = [
        item.question for item in quiz.fixed_questions.select_related("question__stem_image").all()
    ]
    taken = {q.pk for q in chosen}
    for draw in quiz.draws.select_related("category").all():
        pool = draw_pool(
            category_id=draw.category_id,
            difficulty=draw.difficulty,
            tags=draw.tag_list(),
            exclude=taken,
        )
        ids = list(pool.values_list("pk", flat=True))
        if len(ids) < draw.count:
            logger.warning(
                "quiz %s: draw from %s wants %s questions, bank has %s",
                quiz.pk,
                draw.category,
                draw.count,
                len(ids),
            )
        picked = _random.sample(ids, min(draw.count, len(ids)))
        by_id = Question.objects.select_related("stem_image").in_bulk(picked)
        chosen.extend(by_id[pk] for pk in picked)
        taken.update(picked)
    return chosen


def _image_url(image) -> str:
    if image is None:
        return ""
    try:
        return image.get_rendition("max-800x600").url
    except Exception:  # a missing file must not stop an exam from starting
        logger.exception("rendition failed for image %s", image.pk)
        return ""


def _shuffled_not_identity(items: list) -> list:
    """A shuffle that, for two items or more, never returns the original order: an ordering
    question shown in its correct order would give the answer away."""
    if len(items) < 2:
        return list(items)
    while True:
        shuffled = _random.sample(items, len(items))
        if shuffled != items:
            return shuffled


def question_freeze(*, question: Question, qkey: str, shuffle_choices: bool) -> tuple[dict, dict]:
    """The paper entry and the key entry of one question."""
    kind = question.question_type
    paper = {
        "key": qkey,
        "question_id": question.pk,
        "type": kind,
        "stem": question.stem,
        "image": _image_url(question.stem_image),
        "options": [],
    }
    key = {
        "type": kind,
        "question_id": question.pk,
        "partial": question.partial_credit,
        "explanation": question.explanation,
        "stem_text": strip_tags(question.stem)[:200],
    }
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.ORDERING):
        # Sorted here rather than by the query, so choices prefetched by quiz_freeze serve.
        choices = sorted(question.choices.all(), key=lambda c: (c.sort_order or 0, c.pk))
        tokens = {c.pk: secrets.token_hex(4) for c in choices}
        entries = [
            {"token": tokens[c.pk], "text": c.text, "image": _image_url(c.image)} for c in choices
        ]
        if kind == QuestionType.ORDERING:
            shown = _shuffled_not_identity(entries)
            key["correct"] = [tokens[c.pk] for c in choices]
        else:
            shown = _random.sample(entries, len(entries)) if shuffle_choices else entries
            key["correct"] = [tokens[c.pk] for c in choices if c.is_correct]
        paper["options"] = shown
        key["options"] = [e["token"] for e in entries]
        key["labels"] = {e["token"]: e["text"] for e in entries}
    elif kind == QuestionType.TRUE_FALSE:
        key["correct"] = bool(question.true_false_answer)
    else:
        key["correct"] = question.accepted_answer_list()
    return paper, key


def quiz_freeze(*, quiz: Quiz) -> FrozenPaper:
    questions = questions_draw(quiz=quiz)
    # One query for every question's options instead of one per question.
    prefetch_related_objects(
        questions, Prefetch("choices", queryset=QuestionChoice.objects.select_related("image"))
    )
    if quiz.shuffle_questions:
        questions = _random.sample(questions, len(questions))
    paper, key = [], {}
    for number, question in enumerate(questions, start=1):
        qkey = f"q{number}"
        entry, answer = question_freeze(
            question=question, qkey=qkey, shuffle_choices=quiz.shuffle_choices
        )
        paper.append(entry)
        key[qkey] = answer
    return FrozenPaper(paper=paper, key=key)
