"""The pure grading rules of the quiz engine."""

import pytest

from courses.quiz.grading import (
    grade_attempt,
    grade_fill_in,
    grade_multiple,
    grade_ordering,
    grade_single,
    grade_true_false,
    normalise_text,
)


def test_single_choice_scores_only_the_correct_token():
    assert grade_single(correct="a1", answer="a1") == 1.0
    assert grade_single(correct="a1", answer="b2") == 0.0
    assert grade_single(correct="a1", answer=["a1"]) == 0.0
    assert grade_single(correct="a1", answer=None) == 0.0


def test_true_false_accepts_only_true_or_false():
    assert grade_true_false(correct=True, answer="true") == 1.0
    assert grade_true_false(correct=True, answer="false") == 0.0
    assert grade_true_false(correct=False, answer="false") == 1.0
    assert grade_true_false(correct=False, answer="maybe") == 0.0


def test_multiple_choice_without_partial_credit_is_all_or_nothing():
    def grade(answer):
        return grade_multiple(
            correct=["a", "c"], options=["a", "b", "c", "d"], answer=answer, partial=False
        )

    assert grade(["c", "a"]) == 1
    assert grade(["a"]) == 0
    assert grade(["a", "b", "c"]) == 0


def test_multiple_choice_partial_credit_rewards_hits_and_subtracts_wrong_picks():
    options = ["a", "b", "c", "d"]
    grade = lambda answer: grade_multiple(  # noqa: E731
        correct=["a", "b", "c"], options=options, answer=answer, partial=True
    )
    assert grade(["a", "b", "c"]) == 1.0
    assert grade(["a"]) == pytest.approx(1 / 3)
    assert grade(["a", "b", "d"]) == pytest.approx(1 / 3)
    assert grade(["d"]) == 0.0  # never negative
    assert grade("a") == 0.0  # malformed


@pytest.mark.parametrize(
    "given",
    ["R32", "r32", "Ｒ３２", " R 32 ", "ｒ　32"],
)
def test_fill_in_ignores_width_spacing_and_case(given):
    assert grade_fill_in(accepted=["R32"], answer=given) == 1.0


def test_fill_in_accepts_any_of_several_answers_and_rejects_others():
    accepted = ["真空泵", "真空 泵", "vacuum pump"]
    assert grade_fill_in(accepted=accepted, answer="Vacuum  Pump") == 1.0
    assert grade_fill_in(accepted=accepted, answer="氮气") == 0.0
    assert grade_fill_in(accepted=accepted, answer="") == 0.0
    assert normalise_text("（ＡＢ　c）") == "(abc)"


def test_ordering_exact_or_share_of_steps_in_place():
    correct = ["s1", "s2", "s3", "s4"]
    assert grade_ordering(correct=correct, answer=list(correct), partial=False) == 1.0
    assert grade_ordering(correct=correct, answer=["s1", "s2", "s4", "s3"], partial=False) == 0
    assert grade_ordering(correct=correct, answer=["s1", "s2", "s4", "s3"], partial=True) == 0.5
    assert grade_ordering(correct=correct, answer="s1", partial=True) == 0.0


def test_attempt_score_is_the_mean_mark_in_percent():
    key = {
        "q1": {"type": "single", "correct": ["x"], "partial": False},
        "q2": {"type": "true_false", "correct": False, "partial": False},
        "q3": {"type": "fill_in", "correct": ["R290"], "partial": False},
    }
    score, marks = grade_attempt(answer_key=key, answers={"q1": "x", "q3": "r 290"})
    assert marks == {"q1": 1.0, "q2": 0.0, "q3": 1.0}
    assert score == pytest.approx(66.67)
